namespace Coordinator.Client;

/// <summary>
/// ZooKeeper's Stat without ACL version: slots play the role of zxids (czxid, mzxid, pzxid) and times come
/// from the leader's stamp on the slot.
/// </summary>
public readonly record struct Stat(
    long CreatedSlot,
    long ModifiedSlot,
    long CreatedTime,
    long ModifiedTime,
    int Version,
    int ChildVersion,
    long EphemeralOwner,
    int DataLength,
    int ChildCount,
    long ChildrenModifiedSlot);
