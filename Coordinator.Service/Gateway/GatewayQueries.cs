using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>The gateway's questions to its replica's applied state, run on the replica's thread.</summary>
internal static class GatewayQueries
{
    /// <summary>Every read needs READ on its node (getAcl READ or ADMIN); a refused one answers NoAuth and nothing else.</summary>
    public static ReadOutcome Read(IReplicatedStateMachine machine, long sessionId, ReadKind kind, string path)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        if (kind == ReadKind.GetAcl)
        {
            var acl = tree.GetAcl(sessionId, path);
            return new ReadOutcome(acl.Code, acl.Stat, acl.Code == ErrorCode.Ok ? AclCodec.EncodeRead(acl.AclVersion, acl.Acl) : [], []);
        }
        if (tree.Authorize(sessionId, path, Permissions.Read) is var allowed && allowed != ErrorCode.Ok)
        {
            return new ReadOutcome(allowed, default, [], []);
        }
        if (kind == ReadKind.GetChildren)
        {
            var children = tree.GetChildren(path);
            return new ReadOutcome(children.Code, children.Stat, [], [.. children.Children]);
        }
        var node = kind == ReadKind.Exists ? tree.Exists(path) : tree.GetData(path);
        return new ReadOutcome(node.Code, node.Stat, node.Data.ToArray(), []);
    }

    /// <summary>Whether the session may watch the node (READ on it; a missing node guards nothing).</summary>
    public static ErrorCode MayWatch(IReplicatedStateMachine machine, long sessionId, string path) =>
        ((TreeStateMachine)machine).Tree.Authorize(sessionId, path, Permissions.Read);

    /// <summary>The stored digest of a user, or null.</summary>
    public static PasswordDigest? User(IReplicatedStateMachine machine, string name) => ((TreeStateMachine)machine).Tree.GetUser(name);

    public static AttachOutcome Inspect(IReplicatedStateMachine machine, AttachRequest attach)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        var held = attach.AwaitedLocks
            .Select(path => (Path: path, Holder: tree.GetLock(path)?.Holders.FirstOrDefault(holder => holder.SessionId == attach.SessionId)))
            .Where(lockHeld => lockHeld.Holder is not null)
            .Select(lockHeld => (lockHeld.Path, lockHeld.Holder!.Token))
            .ToList();
        // A watch on a node the session may not read comes back as NoAuth, and the core does not carry it over.
        var nodes = attach.Watches
            .Select(resumed => tree.Authorize(attach.SessionId, resumed.Watch.Path, Permissions.Read) == ErrorCode.Ok
                ? tree.Exists(resumed.Watch.Path)
                : new NodeRead(ErrorCode.NoAuth, default, ReadOnlyMemory<byte>.Empty))
            .ToList();
        return new AttachOutcome(tree.GetSession(attach.SessionId), nodes, held);
    }
}
