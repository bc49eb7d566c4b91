namespace Coordinator.Client;

/// <summary>What happened to a watched node (ZooKeeper's EventType).</summary>
public enum WatchEventType
{
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,

    /// <summary>
    /// Changes may have been missed: the watch moved to a replica whose history of changes no longer reaches back to
    /// the last event it saw. Read the watched nodes again; the stream goes on with live events.
    /// </summary>
    Compacted = 5,
}
