namespace Coordinator.Client;

/// <summary>How fresh a read is.</summary>
public enum ReadConsistency
{
    /// <summary>
    /// Served by the replica the session is attached to, from state at least as new as anything this session has seen
    /// (its own writes included); it may miss what other sessions wrote a moment ago. ZooKeeper's read.
    /// </summary>
    Session,

    /// <summary>
    /// The latest committed state: the leader confirms it still leads and names the last slot chosen, and the read waits
    /// until the attached replica applied it, in one request. etcd's default read; ZooKeeper's sync then read.
    /// </summary>
    Linearizable,
}
