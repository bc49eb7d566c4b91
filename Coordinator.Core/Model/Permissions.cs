namespace Coordinator.Client;

/// <summary>What an ACL entry allows, with ZooKeeper's bit values (ZooDefs.Perms), so ACLs map one to one.</summary>
[Flags]
public enum Permissions
{
    None = 0,

    /// <summary>getData, exists, getChildren, getAcl, watches on the node, and checking a lock's token.</summary>
    Read = 1,

    /// <summary>setData, and taking or renewing a lock or semaphore at the node's path.</summary>
    Write = 2,

    /// <summary>Creating children.</summary>
    Create = 4,

    /// <summary>Deleting children.</summary>
    Delete = 8,

    /// <summary>setAcl.</summary>
    Admin = 16,

    All = Read | Write | Create | Delete | Admin,
}
