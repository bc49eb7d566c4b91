using Coordinator.Client;

namespace Coordinator.Core.Protocol;

/// <summary>
/// Binary form of an ACL (a count, then scheme, id and permission bits per entry), shared by the log's transactions,
/// the snapshot and a getAcl answer, which carries <see cref="EncodeRead"/>'s bytes as its data.
/// </summary>
internal static class AclCodec
{
    public static void Write(WireWriter writer, IReadOnlyList<AclEntry> acl)
    {
        writer.WriteInt32(acl.Count);
        foreach (var entry in acl)
        {
            writer.WriteString(entry.Scheme);
            writer.WriteString(entry.Id);
            writer.WriteInt32((int)entry.Permissions);
        }
    }

    public static AclEntry[] Read(ref WireReader reader)
    {
        var entries = new AclEntry[reader.ReadCount()];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new AclEntry(
                reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue),
                reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue),
                (Permissions)reader.ReadInt32());
        }
        return entries;
    }

    /// <summary>A getAcl answer's data: the ACL version, then the ACL.</summary>
    public static byte[] EncodeRead(int aclVersion, IReadOnlyList<AclEntry> acl)
    {
        var writer = new WireWriter();
        writer.WriteInt32(aclVersion);
        Write(writer, acl);
        return writer.ToArray();
    }

    /// <exception cref="WireFormatException">The bytes are not a getAcl answer.</exception>
    public static (int AclVersion, AclEntry[] Acl) DecodeRead(ReadOnlySpan<byte> bytes)
    {
        var reader = new WireReader(bytes);
        var version = reader.ReadInt32();
        var acl = Read(ref reader);
        return reader.AtEnd ? (version, acl) : throw new WireFormatException(CodecError.TrailingBytes);
    }
}
