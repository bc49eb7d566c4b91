using System.Globalization;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>Tree commands. Checks follow ZooKeeper's PrepRequestProcessor order so each mistake gets its error.</summary>
internal sealed partial class CoordinatorStateMachine
{
    private OpResult TreeOp(long sessionId, Transaction op) => op switch
    {
        Create c => CreateNode(sessionId, c),
        Delete d => DeleteNode(sessionId, d),
        SetData s => SetNodeData(sessionId, s),
        Check c => CheckNode(sessionId, c),
        _ => NotATreeOp(op),
    };

    private OpResult RunMulti(long sessionId, Multi multi)
    {
        if (multi.Ops is null)
        {
            return BadArguments($"multi ops are missing");
        }
        if (multi.Ops.Count > _settings.MaxMultiOps)
        {
            return BadArguments($"multi of {multi.Ops.Count} ops is too large: must be at most {_settings.MaxMultiOps} ops");
        }
        var mark = Mark();
        var results = new OpResult[multi.Ops.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var op = multi.Ops[i];
            var result = op is Create or Delete or SetData or Check ? TreeOp(sessionId, op) : NotATreeOp(op);
            if (!result.IsOk)
            {
                RollBack(mark);
                var codes = new ErrorCode[results.Length];
                for (var j = 0; j < codes.Length; j++)
                {
                    codes[j] = j < i ? ErrorCode.Ok : j == i ? result.Code : ErrorCode.RuntimeInconsistency;
                }
                return new MultiErrorResult(result.Code, i, codes, (result as ErrorResult)?.Reason);
            }
            results[i] = result;
        }
        return new MultiResult(results);
    }

    private OpResult CreateNode(long sessionId, Create create)
    {
        if (create.Path is null)
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (create.Data is null)
        {
            return BadArguments($"data is missing: must be an array of 0 to {_settings.MaxDataBytes} bytes");
        }
        if (!NodeKinds.IsDefined(create.Kind))
        {
            return BadArguments($"kind {(int)create.Kind} is not a node kind: must be one of {string.Join(", ", Enum.GetNames<NodeKind>())}");
        }
        var sequential = NodeKinds.IsSequential(create.Kind);
        if (!PathRules.IsValid(create.Path, _settings.MaxPathLength, sequential))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (create.Data.Length > _settings.MaxDataBytes)
        {
            return Error(ErrorCode.DataTooLarge);
        }
        NodeTtl? ttl = null;
        if (NodeKinds.HasTtl(create.Kind))
        {
            if (create.TtlMs is not { } requested)
            {
                return BadArguments($"ttl is missing: kind {create.Kind} needs one between 1 ms and {_settings.MaxNodeTtlMs} ms");
            }
            if (requested <= 0 || requested > _settings.MaxNodeTtlMs)
            {
                return BadArguments($"ttl {requested} ms is out of range: must be between 1 ms and {_settings.MaxNodeTtlMs} ms");
            }
            ttl = new NodeTtl(requested, _time.Clock);
        }
        else if (create.TtlMs is not null)
        {
            return BadArguments($"ttl {create.TtlMs} ms is for TTL nodes only: kind {create.Kind} takes none");
        }
        if (create.Path == "/" && !sequential)
        {
            return Error(ErrorCode.NodeExists);
        }
        var acl = AclForCreate(sessionId, create.Acl, out var aclRefusal);
        if (acl is null)
        {
            return InvalidAcl(aclRefusal);
        }
        var parentPath = PathRules.ParentOf(create.Path);
        var parent = Find(parentPath);
        if (parent is null)
        {
            if (!create.CreateParents)
            {
                return Error(ErrorCode.NoNode);
            }
            // CREATE is needed where the new branch starts: on the deepest ancestor that exists.
            if (!Allowed(sessionId, GoverningNode(parentPath), Permissions.Create))
            {
                return Error(ErrorCode.NoAuth);
            }
            var made = CreateAncestors(parentPath, acl);
            if (made.Code != ErrorCode.Ok)
            {
                return Error(made.Code);
            }
            parent = made.Node!;
        }
        else if (!Allowed(sessionId, parent, Permissions.Create))
        {
            return Error(ErrorCode.NoAuth);
        }
        var name = PathRules.NameOf(create.Path);
        if (sequential)
        {
            name += parent.ChildVersion.ToString("D10", CultureInfo.InvariantCulture);
        }
        var path = PathRules.Join(parentPath, name);
        if (path.Length > _settings.MaxPathLength)
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (parent.Child(name) is not null)
        {
            return Error(ErrorCode.NodeExists);
        }
        if (parent.IsEphemeral)
        {
            return Error(ErrorCode.NoChildrenForEphemerals);
        }
        var owner = NodeKinds.IsEphemeral(create.Kind) ? sessionId : 0;
        var node = new DataNode(create.Kind, create.Data, _slot, _time.Now, owner, ttl) { Acl = acl };
        AddNode(parentPath, parent, name, path, node);
        return new CreatedResult(path, node.ToStat());
    }

    private static ErrorResult NotATreeOp(Transaction op) =>
        BadArguments($"a multi op is {op?.GetType().Name ?? "missing"}: must be create, delete, setData or check");

    private (ErrorCode Code, DataNode? Node) CreateAncestors(string path, NodeAcl acl)
    {
        var node = _root;
        var parentPath = "/";
        foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var childPath = PathRules.Join(parentPath, segment);
            var child = node.Child(segment);
            if (child is null)
            {
                if (node.IsEphemeral)
                {
                    return (ErrorCode.NoChildrenForEphemerals, null);
                }
                child = new DataNode(NodeKind.Persistent, [], _slot, _time.Now, 0, null) { Acl = acl };
                AddNode(parentPath, node, segment, childPath, child);
            }
            node = child;
            parentPath = childPath;
        }
        return (ErrorCode.Ok, node);
    }

    private OpResult DeleteNode(long sessionId, Delete delete)
    {
        if (!PathRules.IsValid(delete.Path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (delete.Path == "/")
        {
            return BadArguments($"path / cannot be deleted: it must name a node below the root");
        }
        var node = Find(delete.Path);
        if (node is null)
        {
            return Error(ErrorCode.NoNode);
        }
        var parentPath = PathRules.ParentOf(delete.Path);
        var parent = Find(parentPath)!;
        if (!Allowed(sessionId, parent, Permissions.Delete))
        {
            return Error(ErrorCode.NoAuth);
        }
        if (delete.ExpectedVersion != -1 && delete.ExpectedVersion != node.Version)
        {
            return Error(ErrorCode.BadVersion);
        }
        if (node.ChildCount > 0)
        {
            return Error(ErrorCode.NotEmpty);
        }
        RemoveNode(parentPath, parent, PathRules.NameOf(delete.Path), delete.Path, node);
        return OkResult.Instance;
    }

    private OpResult SetNodeData(long sessionId, SetData set)
    {
        if (!PathRules.IsValid(set.Path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (set.Data is null)
        {
            return BadArguments($"data is missing: must be an array of 0 to {_settings.MaxDataBytes} bytes");
        }
        if (set.Data.Length > _settings.MaxDataBytes)
        {
            return Error(ErrorCode.DataTooLarge);
        }
        var node = Find(set.Path);
        if (node is null)
        {
            return Error(ErrorCode.NoNode);
        }
        if (!Allowed(sessionId, node, Permissions.Write))
        {
            return Error(ErrorCode.NoAuth);
        }
        if (set.ExpectedVersion != -1 && set.ExpectedVersion != node.Version)
        {
            return Error(ErrorCode.BadVersion);
        }
        WriteData(node, set.Data);
        if (node.Ttl is { } ttl && node.ChildCount == 0)
        {
            AddTimer(TtlDue(ttl), TimerKind.NodeTtl, set.Path);
        }
        _events.Add(new NodeDataChanged(set.Path, _slot));
        return new StatResult(node.ToStat());
    }

    private OpResult CheckNode(long sessionId, Check check)
    {
        if (!PathRules.IsValid(check.Path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        var node = Find(check.Path);
        if (node is null)
        {
            return Error(ErrorCode.NoNode);
        }
        if (!Allowed(sessionId, node, Permissions.Read))
        {
            return Error(ErrorCode.NoAuth);
        }
        return check.ExpectedVersion != -1 && check.ExpectedVersion != node.Version
            ? Error(ErrorCode.BadVersion)
            : OkResult.Instance;
    }

    private void AddNode(string parentPath, DataNode parent, string name, string path, DataNode node)
    {
        var owner = node.IsEphemeral ? _sessions[node.EphemeralOwner] : null;
        AddChild(parent, name, node);
        if (owner is not null)
        {
            AddToIndex(owner.Ephemerals, path);
        }
        if (node.Ttl is { } ttl)
        {
            AddTimer(TtlDue(ttl), TimerKind.NodeTtl, path);
        }
        _events.Add(new NodeCreated(path, _slot));
        _events.Add(new NodeChildrenChanged(parentPath, _slot));
    }

    private void RemoveNode(string parentPath, DataNode parent, string name, string path, DataNode node)
    {
        RemoveChild(parent, name, node);
        if (node.IsEphemeral && _sessions.TryGetValue(node.EphemeralOwner, out var owner))
        {
            RemoveFromIndex(owner.Ephemerals, path);
        }
        _events.Add(new NodeDeleted(path, _slot));
        _events.Add(new NodeChildrenChanged(parentPath, _slot));
        if (parent.ChildCount == 0)
        {
            if (parent.Kind == NodeKind.Container)
            {
                _emptiedContainers.Add(parentPath);
            }
            else if (parent.Ttl is { } ttl)
            {
                AddTimer(TtlDue(ttl), TimerKind.NodeTtl, parentPath);
            }
        }
    }

    /// <summary>Cascades: reaping a container can empty its container parent, which the loop then reaps too.</summary>
    private void ReapEmptiedContainers()
    {
        for (var i = 0; i < _emptiedContainers.Count; i++)
        {
            var path = _emptiedContainers[i];
            if (path == "/" || Find(path) is not { Kind: NodeKind.Container, ChildCount: 0 } node)
            {
                continue;
            }
            var parentPath = PathRules.ParentOf(path);
            RemoveNode(parentPath, Find(parentPath)!, PathRules.NameOf(path), path, node);
        }
        _emptiedContainers.Clear();
    }

    private void ReapTtlNode(TimerEntry timer)
    {
        if (Find(timer.Path) is not { ChildCount: 0, Ttl: { } ttl } node || TtlDue(ttl) != timer.Due)
        {
            return;
        }
        var parentPath = PathRules.ParentOf(timer.Path);
        RemoveNode(parentPath, Find(parentPath)!, PathRules.NameOf(timer.Path), timer.Path, node);
    }

    /// <summary>Looks a validated path up segment by segment without allocating.</summary>
    private DataNode? Find(string path)
    {
        var node = _root;
        var rest = path.AsSpan(1);
        while (!rest.IsEmpty)
        {
            var slash = rest.IndexOf('/');
            node = node.Child(slash < 0 ? rest : rest[..slash]);
            if (node is null || slash < 0)
            {
                return node;
            }
            rest = rest[(slash + 1)..];
        }
        return node;
    }
}
