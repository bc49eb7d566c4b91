using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace Coordinator.Service.Serialization;

/// <summary>
/// Reads what <see cref="WireWriter"/> wrote. Every read is bounds-checked: truncated or forged input raises a
/// <see cref="SerializationException"/>, never an out-of-range allocation or a crash further in.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> bytes)
{
    private ReadOnlySpan<byte> _rest = bytes;

    public readonly bool AtEnd => _rest.IsEmpty;

    public byte Byte() => Take(1)[0];

    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public bool Bool() => Byte() != 0;

    public byte[] Bytes() => Take(Count(1)).ToArray();

    public string String() => Encoding.UTF8.GetString(Take(Count(1)));

    /// <summary>A length or element count, checked against what is left so a forged count cannot allocate gigabytes.</summary>
    public int Count(int minimumBytesPerElement)
    {
        var count = Int();
        if (count < 0 || (long)count * minimumBytesPerElement > _rest.Length)
        {
            throw new SerializationException($"Malformed message: a count of {count} does not fit the {_rest.Length} bytes left.");
        }
        return count;
    }

    public readonly void ExpectEnd()
    {
        if (!_rest.IsEmpty)
        {
            throw new SerializationException($"Malformed message: {_rest.Length} unexpected trailing bytes.");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _rest.Length)
        {
            throw new SerializationException($"Malformed message: needed {length} more bytes, {_rest.Length} left.");
        }
        var taken = _rest[..length];
        _rest = _rest[length..];
        return taken;
    }
}
