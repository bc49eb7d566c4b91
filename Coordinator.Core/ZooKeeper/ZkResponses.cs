using Coordinator.Client;

namespace Coordinator.Core.ZooKeeper;

/// <summary>The frames a server sends: a ConnectResponse first, then ReplyHeaders with the op's response record.</summary>
internal static class ZkResponses
{
    /// <summary>ZooKeeper's KeeperState.SyncConnected: the state every watch event is delivered in.</summary>
    public const int SyncConnected = 3;

    /// <summary>A timeout of 0 tells the client its session expired (ZooKeeper's answer to an unknown session or wrong password).</summary>
    public static byte[] Connect(int timeoutMs, long sessionId, ReadOnlySpan<byte> password) =>
        new JuteWriter().Int(0).Int(timeoutMs).Long(sessionId).Buffer(password).Bool(false).ToFrame();

    public static byte[] Expired() => Connect(0, 0, new byte[ZkPasswords.Bytes]);

    public static byte[] Header(int xid, long zxid, ZkError error) => Reply(xid, zxid, error).ToFrame();

    public static byte[] Stat(int xid, long zxid, Stat stat) => Reply(xid, zxid).Stat(stat).ToFrame();

    public static byte[] Data(int xid, long zxid, ReadOnlySpan<byte> data, Stat stat) => Reply(xid, zxid).Buffer(data).Stat(stat).ToFrame();

    public static byte[] Children(int xid, long zxid, IReadOnlyCollection<string> children) => Reply(xid, zxid).Strings(children).ToFrame();

    public static byte[] Children2(int xid, long zxid, IReadOnlyCollection<string> children, Stat stat) =>
        Reply(xid, zxid).Strings(children).Stat(stat).ToFrame();

    public static byte[] Created(int xid, long zxid, string path) => Reply(xid, zxid).String(path).ToFrame();

    public static byte[] Created2(int xid, long zxid, string path, Stat stat) => Reply(xid, zxid).String(path).Stat(stat).ToFrame();

    /// <summary>GetAllChildrenNumberResponse.</summary>
    public static byte[] Number(int xid, long zxid, int number) => Reply(xid, zxid).Int(number).ToFrame();

    /// <summary>SyncResponse and any other response that is a path alone.</summary>
    public static byte[] Path(int xid, long zxid, string path) => Created(xid, zxid, path);

    /// <summary>addWatch answers an ErrorResponse record (its err, 0) after the header: the Java client reads one.</summary>
    public static byte[] WatchAdded(int xid, long zxid) => Reply(xid, zxid).Int((int)ZkError.Ok).ToFrame();

    /// <summary>GetACLResponse: the node's ACL (perms, then scheme and id, per entry) and its Stat with the ACL version.</summary>
    public static byte[] Acl(int xid, long zxid, IReadOnlyList<AclEntry> acl, int aclVersion, Stat stat)
    {
        var writer = Reply(xid, zxid).Int(acl.Count);
        foreach (var entry in acl)
        {
            writer.Int((int)entry.Permissions).String(entry.Scheme).String(entry.Id);
        }
        return writer.Stat(stat, aclVersion).ToFrame();
    }

    /// <summary>SetACLResponse: the node's Stat with its new ACL version.</summary>
    public static byte[] AclSet(int xid, long zxid, Stat stat, int aclVersion) => Reply(xid, zxid).Stat(stat, aclVersion).ToFrame();

    public static byte[] Multi(int xid, long zxid, IReadOnlyList<ZkMultiResult> results)
    {
        var writer = Reply(xid, zxid);
        foreach (var result in results)
        {
            writer.Int((int)result.Type).Bool(false).Int((int)result.Error);
            switch (result.Type)
            {
                case ZkOpCode.Error:
                    writer.Int((int)result.Error);
                    break;
                case ZkOpCode.Create:
                    writer.String(result.Path);
                    break;
                case ZkOpCode.Create2:
                    writer.String(result.Path).Stat(result.Stat.GetValueOrDefault());
                    break;
                case ZkOpCode.SetData:
                    writer.Stat(result.Stat.GetValueOrDefault());
                    break;
            }
        }
        return writer.Int(-1).Bool(true).Int(-1).ToFrame();
    }

    /// <summary>A watch event: xid -1 and zxid -1, as ZooKeeper sends them; the path is the server's (the client strips its chroot).</summary>
    public static byte[] Notification(int eventType, string path) =>
        Reply(ZkXids.Notification, -1).Int(eventType).Int(SyncConnected).String(path).ToFrame();

    private static JuteWriter Reply(int xid, long zxid, ZkError error = ZkError.Ok) => new JuteWriter().Int(xid).Long(zxid).Int((int)error);
}
