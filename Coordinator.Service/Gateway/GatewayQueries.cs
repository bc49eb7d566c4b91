using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>The gateway's questions to its replica's applied state, run on the replica's thread.</summary>
internal static class GatewayQueries
{
    public static ReadOutcome Read(IReplicatedStateMachine machine, ReadKind kind, string path)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        if (kind == ReadKind.GetChildren)
        {
            var children = tree.GetChildren(path);
            return new ReadOutcome(children.Code, children.Stat, [], [.. children.Children]);
        }
        var node = kind == ReadKind.Exists ? tree.Exists(path) : tree.GetData(path);
        return new ReadOutcome(node.Code, node.Stat, node.Data.ToArray(), []);
    }

    public static AttachOutcome Inspect(IReplicatedStateMachine machine, AttachRequest attach)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        var held = attach.AwaitedLocks
            .Select(path => (Path: path, Holder: tree.GetLock(path)?.Holders.FirstOrDefault(holder => holder.SessionId == attach.SessionId)))
            .Where(lockHeld => lockHeld.Holder is not null)
            .Select(lockHeld => (lockHeld.Path, lockHeld.Holder!.Token))
            .ToList();
        return new AttachOutcome(tree.GetSession(attach.SessionId), [.. attach.Watches.Select(resumed => tree.Exists(resumed.Watch.Path))], held);
    }
}
