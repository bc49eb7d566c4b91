using Coordinator.Client;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.ZooKeeper;

/// <summary>The ZooKeeper ops the gateway has no read for, asked of the replica's applied state on its thread.</summary>
internal static class ZooKeeperQueries
{
    /// <summary>The session's last applied sequence: a reattached connection continues above it.</summary>
    public static object LastSequence(IReplicatedStateMachine machine, long sessionId) =>
        ((TreeStateMachine)machine).Tree.GetSession(sessionId)?.LastSequence ?? 0L;

    /// <summary>getEphemerals: the session's ephemeral nodes under a prefix (of the path string, as ZooKeeper matches it).</summary>
    public static object Ephemerals(IReplicatedStateMachine machine, long sessionId, string prefix) =>
        (((TreeStateMachine)machine).Tree.GetSession(sessionId)?.Ephemerals ?? [])
            .Where(path => path.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>getAllChildrenNumber: every node below the path, at any depth.</summary>
    public static object AllChildrenNumber(IReplicatedStateMachine machine, string path)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        var top = tree.GetChildren(path);
        if (top.Code != ErrorCode.Ok)
        {
            return top.Code;
        }
        var count = 0;
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.TryPop(out var parent))
        {
            foreach (var child in tree.GetChildren(parent).Children)
            {
                count++;
                pending.Push(parent == "/" ? "/" + child : parent + "/" + child);
            }
        }
        return count;
    }
}
