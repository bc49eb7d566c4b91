using System.Buffers.Binary;
using System.Text;
using Coordinator.Client;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// Writes jute's binary archive into one frame: the 4-byte big-endian length ZooKeeper puts before every packet is
/// reserved first and filled in by <see cref="ToFrame"/>.
/// </summary>
internal sealed class JuteWriter
{
    private byte[] _buffer = new byte[256];
    private int _length = ZkFrames.PrefixBytes;

    public JuteWriter Int(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);
        return this;
    }

    public JuteWriter Long(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);
        return this;
    }

    public JuteWriter Bool(bool value)
    {
        Grow(1)[0] = value ? (byte)1 : (byte)0;
        return this;
    }

    public JuteWriter String(string? value)
    {
        if (value is null)
        {
            return Int(-1);
        }
        var count = Encoding.UTF8.GetByteCount(value);
        Int(count);
        Encoding.UTF8.GetBytes(value, Grow(count));
        return this;
    }

    public JuteWriter Buffer(ReadOnlySpan<byte> value)
    {
        Int(value.Length);
        value.CopyTo(Grow(value.Length));
        return this;
    }

    public JuteWriter Strings(IReadOnlyCollection<string> values)
    {
        Int(values.Count);
        foreach (var value in values)
        {
            String(value);
        }
        return this;
    }

    /// <summary>
    /// ZooKeeper's Stat: slots stand for zxids. Coordinator's Stat has no ACL version, so it is 0 except where the
    /// caller read it with the ACL (getACL).
    /// </summary>
    public JuteWriter Stat(Stat stat, int aclVersion = 0) => Long(stat.CreatedSlot)
        .Long(stat.ModifiedSlot)
        .Long(stat.CreatedTime)
        .Long(stat.ModifiedTime)
        .Int(stat.Version)
        .Int(stat.ChildVersion)
        .Int(aclVersion)
        .Long(stat.EphemeralOwner)
        .Int(stat.DataLength)
        .Int(stat.ChildCount)
        .Long(stat.ChildrenModifiedSlot);

    /// <summary>The frame: length prefix and record.</summary>
    public byte[] ToFrame()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer, _length - ZkFrames.PrefixBytes);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
