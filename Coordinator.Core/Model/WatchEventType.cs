namespace Coordinator.Client;

/// <summary>What happened to a watched node (ZooKeeper's EventType).</summary>
public enum WatchEventType
{
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
}
