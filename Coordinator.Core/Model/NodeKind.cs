namespace Coordinator.Client;

/// <summary>ZooKeeper's CreateMode, value for value.</summary>
public enum NodeKind : byte
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,

    /// <summary>Removed when its last child goes (at the end of the command that removed it).</summary>
    Container = 4,

    /// <summary>Removed once it has no children and was not modified for its TTL.</summary>
    PersistentWithTtl = 5,

    PersistentSequentialWithTtl = 6,
}
