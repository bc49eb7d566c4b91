namespace Coordinator.Core.ZooKeeper;

// The requests of ZooKeeper's client protocol (zookeeper.jute, module org.apache.zookeeper.proto), as decoded by
// ZkRequestCodec. Every packet after the connect is a RequestHeader (xid, op code) and the op's record.

/// <summary>The first packet of a connection; it has no request header. ReadOnly is absent from pre-3.4 clients.</summary>
internal sealed record ZkConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly);

/// <summary>One packet: the client's xid (echoed in the reply), its op code and its record.</summary>
internal sealed record ZkPacket(int Xid, ZkOpCode Op, ZkRequest Request);

internal abstract record ZkRequest;

/// <summary>Ping and closeSession carry no record.</summary>
internal sealed record ZkEmptyRequest : ZkRequest
{
    public static ZkEmptyRequest Instance { get; } = new();
}

/// <summary>An op code ZooKeeper defines and Coordinator does not serve: answered UNIMPLEMENTED, its record unread.</summary>
internal sealed record ZkUnsupportedRequest : ZkRequest
{
    public static ZkUnsupportedRequest Instance { get; } = new();
}

/// <summary>create, create2 and createContainer (CreateRequest) and createTTL (CreateTTLRequest, with Ttl). ACLs are read and dropped.</summary>
internal sealed record ZkCreateRequest(string Path, byte[] Data, int Flags, long? Ttl) : ZkRequest;

internal sealed record ZkDeleteRequest(string Path, int Version) : ZkRequest;

/// <summary>exists, getData, getChildren and getChildren2: a path and whether to leave a one-shot watch.</summary>
internal sealed record ZkReadRequest(string Path, bool Watch) : ZkRequest;

internal sealed record ZkSetDataRequest(string Path, byte[] Data, int Version) : ZkRequest;

/// <summary>check (CheckVersionRequest), alone or in a multi.</summary>
internal sealed record ZkCheckRequest(string Path, int Version) : ZkRequest;

/// <summary>sync, getACL, getAllChildrenNumber and getEphemerals (its prefix): a path alone.</summary>
internal sealed record ZkPathRequest(string Path) : ZkRequest;

/// <summary>One op of a multi, with the op code its MultiHeader named.</summary>
internal sealed record ZkMultiOp(ZkOpCode Op, ZkRequest Request);

internal sealed record ZkMultiRequest(IReadOnlyList<ZkMultiOp> Ops) : ZkRequest;

/// <summary>setWatches (the first three lists) and setWatches2 (all five): re-registration after a reconnect.</summary>
internal sealed record ZkSetWatchesRequest(
    long RelativeZxid,
    IReadOnlyList<string> DataWatches,
    IReadOnlyList<string> ExistWatches,
    IReadOnlyList<string> ChildWatches,
    IReadOnlyList<string> PersistentWatches,
    IReadOnlyList<string> PersistentRecursiveWatches) : ZkRequest;

/// <summary>addWatch: mode 0 is PERSISTENT, 1 PERSISTENT_RECURSIVE (ZooKeeper's AddWatchMode).</summary>
internal sealed record ZkAddWatchRequest(string Path, int Mode) : ZkRequest;
