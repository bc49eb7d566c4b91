using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Coordinator.Service.Serialization;

/// <summary>Little-endian binary writer for the wire and journal formats.</summary>
internal sealed class WireWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void Int(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void Long(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int(value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
