using System.Globalization;
using System.Text;

namespace Coordinator.Faults.Workloads;

/// <summary>Register values on the wire: a decimal integer; empty data is the register's initial "no value".</summary>
internal static class Values
{
    public static byte[] Encode(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));

    public static long? Decode(byte[] data) =>
        data.Length == 0 ? null : long.Parse(Encoding.ASCII.GetString(data), CultureInfo.InvariantCulture);
}
