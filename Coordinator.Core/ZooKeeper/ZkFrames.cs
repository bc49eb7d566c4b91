using System.Buffers.Binary;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// ZooKeeper's framing: every packet, both ways, is a 4-byte big-endian length and that many bytes. A length below 0
/// or above jute.maxbuffer closes the connection, as ZooKeeper's server does ("Len error").
/// </summary>
internal static class ZkFrames
{
    public const int PrefixBytes = 4;

    /// <summary>ZooKeeper's default jute.maxbuffer: 0xfffff bytes.</summary>
    public const int DefaultMaxFrameBytes = 0xfffff;

    /// <returns>The length of the frame that follows the prefix.</returns>
    /// <exception cref="JuteException">The length is negative or above <paramref name="maxFrameBytes"/>.</exception>
    public static int ReadLength(ReadOnlySpan<byte> prefix, int maxFrameBytes)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 0 || length > maxFrameBytes)
        {
            throw new JuteException($"frame length {length} outside 0..{maxFrameBytes} (jute.maxbuffer)");
        }
        return length;
    }
}
