using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Coordinator.Core.Protocol;

/// <summary>Little-endian, length-prefixed primitives shared by the transaction codec and snapshots.</summary>
internal sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;
    private List<(int At, byte[] Data)>? _inserts;

    public WireWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteOptionalInt64(long? value)
    {
        WriteBool(value.HasValue);
        if (value.HasValue)
        {
            WriteInt64(value.Value);
        }
    }

    /// <summary>Length -1 encodes null, so a decoded record reproduces a null the caller passed in.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteInt32(value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    /// <summary>
    /// Writes like <see cref="WriteBytes"/>, but an array of at least <paramref name="minimumToShare"/> bytes is only
    /// referenced until <see cref="ToPending"/>'s result is assembled: the caller promises never to write into it.
    /// </summary>
    public void WriteBytesShared(byte[] value, int minimumToShare)
    {
        if (value.Length < minimumToShare)
        {
            WriteBytes(value);
            return;
        }
        WriteInt32(value.Length);
        (_inserts ??= []).Add((_buffer.WrittenCount, value));
    }

    public void WriteNullableBytes(byte[]? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }
        WriteBytes(value);
    }

    public byte[] ToArray() => _inserts is null ? _buffer.WrittenSpan.ToArray() : ToPending().Assemble();

    public PendingBytes ToPending() => new(_buffer.WrittenSpan.ToArray(), _inserts ?? []);
}
