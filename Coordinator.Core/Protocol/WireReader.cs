using System.Buffers.Binary;
using System.Text;

namespace Coordinator.Core.Protocol;

/// <summary>Reads what <see cref="WireWriter"/> wrote; every length is checked against the bytes left, so
/// hostile input cannot make it allocate more than the input's size.</summary>
internal ref struct WireReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly bool AtEnd => _position == _bytes.Length;

    public readonly int Remaining => _bytes.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        _ => throw new WireFormatException(CodecError.InvalidValue),
    };

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public long? ReadOptionalInt64() => ReadBool() ? ReadInt64() : null;

    /// <summary>A count of items that each take at least one byte; bounds allocations by the input size.</summary>
    public int ReadCount()
    {
        var count = ReadInt32();
        return count < 0 || count > Remaining ? throw new WireFormatException(CodecError.InvalidValue) : count;
    }

    public string? ReadString()
    {
        var length = ReadInt32();
        return length == -1 ? null : Encoding.UTF8.GetString(Take(CheckLength(length)));
    }

    public byte[]? ReadNullableBytes()
    {
        var length = ReadInt32();
        return length == -1 ? null : Take(CheckLength(length)).ToArray();
    }

    public byte[] ReadBytes() => Take(CheckLength(ReadInt32())).ToArray();

    private readonly int CheckLength(int length) =>
        length < 0 ? throw new WireFormatException(CodecError.InvalidValue) : length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new WireFormatException(CodecError.Truncated);
        }
        var slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }
}
