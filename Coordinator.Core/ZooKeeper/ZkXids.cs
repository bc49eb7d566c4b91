namespace Coordinator.Core.ZooKeeper;

/// <summary>The reserved xids of ZooKeeper's ClientCnxn: replies carrying them are not matched to a pending request.</summary>
internal static class ZkXids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;
}
