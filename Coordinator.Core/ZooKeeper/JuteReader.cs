using System.Buffers.Binary;
using System.Text;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// Reads jute's binary archive (big-endian ints and longs, one-byte booleans, length-prefixed UTF-8 strings and
/// buffers where -1 is null, count-prefixed vectors). Every length is checked against the bytes left, so a hostile
/// frame cannot make it allocate more than the frame's size.
/// </summary>
internal ref struct JuteReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly int Remaining => _bytes.Length - _position;

    public readonly bool AtEnd => _position == _bytes.Length;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public bool ReadBool() => Take(1)[0] switch
    {
        0 => false,
        1 => true,
        var other => throw new JuteException($"boolean byte {other}"),
    };

    /// <summary>A ustring; null when its length is -1.</summary>
    public string? ReadNullableString()
    {
        var length = ReadInt();
        return length == -1 ? null : DecodeUtf8(Take(CheckLength(length, "string")));
    }

    /// <summary>A ustring that must be present (a path, a scheme).</summary>
    public string ReadString() => ReadNullableString() ?? throw new JuteException("null string where one is required");

    /// <summary>A buffer; null (length -1) reads as empty, as ZooKeeper's server treats it.</summary>
    public byte[] ReadBuffer()
    {
        var length = ReadInt();
        return length == -1 ? [] : Take(CheckLength(length, "buffer")).ToArray();
    }

    /// <summary>A vector's element count; null (-1) reads as 0. Each element takes at least <paramref name="minElementBytes"/>.</summary>
    public int ReadCount(int minElementBytes)
    {
        var count = ReadInt();
        if (count == -1)
        {
            return 0;
        }
        if (count < 0 || (long)count * minElementBytes > Remaining)
        {
            throw new JuteException($"vector of {count} elements in {Remaining} bytes");
        }
        return count;
    }

    public List<string> ReadStringVector()
    {
        var count = ReadCount(4);
        var items = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(ReadString());
        }
        return items;
    }

    /// <summary>An ACL vector: read past (Coordinator does not enforce ZooKeeper ACLs yet), checked for shape.</summary>
    /// <summary>A vector of ZooKeeper's ACL records (perms, then the Id's scheme and id); its permission bits are ours.</summary>
    public List<Coordinator.Client.AclEntry> ReadAcls()
    {
        var count = ReadCount(12);
        var acl = new List<Coordinator.Client.AclEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var permissions = (Coordinator.Client.Permissions)ReadInt();
            // kazoo writes an empty string as null (length -1), as for auth's empty id; ZooKeeper reads it as empty.
            acl.Add(new Coordinator.Client.AclEntry(ReadNullableString() ?? "", ReadNullableString() ?? "", permissions));
        }
        return acl;
    }

    private readonly int CheckLength(int length, string what) =>
        length < 0 ? throw new JuteException($"{what} of length {length}") : length;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new JuteException($"record ends {count - Remaining} bytes early");
        }
        var slice = _bytes.Slice(_position, count);
        _position += count;
        return slice;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new JuteException("string is not UTF-8");
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
