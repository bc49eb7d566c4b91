namespace Coordinator.Core.ZooKeeper;

// The request records of ZooKeeper's client protocol (zookeeper.jute, module org.apache.zookeeper.proto), as decoded
// by ZkRequestCodec. Every packet after the connect is a RequestHeader (xid, op code) and the op's record. They are
// jute values on a ZooKeeper socket, never Akka messages between systems, hence Record rather than Request.

/// <summary>The first packet of a connection; it has no request header. ReadOnly is absent from pre-3.4 clients.</summary>
internal sealed record ZkConnectRecord(int ProtocolVersion, long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly);

/// <summary>One packet: the client's xid (echoed in the reply), its op code and its record.</summary>
internal sealed record ZkPacket(int Xid, ZkOpCode Op, ZkRecord Request);

internal abstract record ZkRecord;

/// <summary>Ping and closeSession carry no record.</summary>
internal sealed record ZkEmptyRecord : ZkRecord
{
    public static ZkEmptyRecord Instance { get; } = new();
}

/// <summary>An op code ZooKeeper defines and Coordinator does not serve: answered UNIMPLEMENTED, its record unread.</summary>
internal sealed record ZkUnsupportedRecord : ZkRecord
{
    public static ZkUnsupportedRecord Instance { get; } = new();
}

/// <summary>create, create2 and createContainer (CreateRequest) and createTTL (CreateTTLRequest, with Ttl), with the node's ACL.</summary>
internal sealed record ZkCreateRecord(string Path, byte[] Data, int Flags, long? Ttl, IReadOnlyList<Coordinator.Client.AclEntry>? Acl = null) : ZkRecord;

/// <summary>An auth packet (AuthPacket, xid -4): addauth's scheme and its bytes (digest's are "user:password").</summary>
internal sealed record ZkAuthRecord(int Type, string Scheme, byte[] Auth) : ZkRecord;

/// <summary>setACL (SetACLRequest): Version is the expected ACL version (Stat.aversion), -1 for any.</summary>
internal sealed record ZkSetAclRecord(string Path, IReadOnlyList<Coordinator.Client.AclEntry> Acl, int Version) : ZkRecord;

internal sealed record ZkDeleteRecord(string Path, int Version) : ZkRecord;

/// <summary>exists, getData, getChildren and getChildren2: a path and whether to leave a one-shot watch.</summary>
internal sealed record ZkReadRecord(string Path, bool Watch) : ZkRecord;

internal sealed record ZkSetDataRecord(string Path, byte[] Data, int Version) : ZkRecord;

/// <summary>check (CheckVersionRequest), alone or in a multi.</summary>
internal sealed record ZkCheckRecord(string Path, int Version) : ZkRecord;

/// <summary>sync, getACL, getAllChildrenNumber and getEphemerals (its prefix): a path alone.</summary>
internal sealed record ZkPathRecord(string Path) : ZkRecord;

/// <summary>One op of a multi, with the op code its MultiHeader named.</summary>
internal sealed record ZkMultiOp(ZkOpCode Op, ZkRecord Request);

internal sealed record ZkMultiRecord(IReadOnlyList<ZkMultiOp> Ops) : ZkRecord;

/// <summary>setWatches (the first three lists) and setWatches2 (all five): re-registration after a reconnect.</summary>
internal sealed record ZkSetWatchesRecord(
    long RelativeZxid,
    IReadOnlyList<string> DataWatches,
    IReadOnlyList<string> ExistWatches,
    IReadOnlyList<string> ChildWatches,
    IReadOnlyList<string> PersistentWatches,
    IReadOnlyList<string> PersistentRecursiveWatches) : ZkRecord;

/// <summary>addWatch: mode 0 is PERSISTENT, 1 PERSISTENT_RECURSIVE (ZooKeeper's AddWatchMode).</summary>
internal sealed record ZkAddWatchRecord(string Path, int Mode) : ZkRecord;
