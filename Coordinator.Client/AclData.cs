namespace Coordinator.Client;

/// <summary>A node's ACL as getAcl reads it, with its ACL version (ZooKeeper's Stat.aversion) for a later setAcl.</summary>
public sealed record AclData(IReadOnlyList<AclEntry> Acl, int AclVersion, Stat Stat);
