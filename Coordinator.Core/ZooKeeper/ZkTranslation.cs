using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.ZooKeeper;

/// <summary>
/// ZooKeeper's requests as Coordinator transactions, and Coordinator's results as ZooKeeper's answers. Pure: the
/// connection shell calls it for every write and every multi result.
/// </summary>
internal static class ZkTranslation
{
    /// <summary>KeeperException.Code for each of Coordinator's codes; codes no ZooKeeper request can meet are SYSTEMERROR.</summary>
    public static ZkError ToZk(ErrorCode code) => code switch
    {
        ErrorCode.Ok => ZkError.Ok,
        ErrorCode.NoNode => ZkError.NoNode,
        ErrorCode.NodeExists => ZkError.NodeExists,
        ErrorCode.BadVersion => ZkError.BadVersion,
        ErrorCode.NotEmpty => ZkError.NotEmpty,
        ErrorCode.NoChildrenForEphemerals => ZkError.NoChildrenForEphemerals,
        // ZooKeeper's client checks paths itself and its server answers a bad one BADARGUMENTS; data over the limit
        // never reaches a ZooKeeper server (jute.maxbuffer), the closest code is the same.
        ErrorCode.InvalidPath or ErrorCode.DataTooLarge or ErrorCode.BadArguments or ErrorCode.NotAllowed => ZkError.BadArguments,
        ErrorCode.SessionExpired => ZkError.SessionExpired,
        ErrorCode.SessionMoved => ZkError.SessionMoved,
        ErrorCode.RuntimeInconsistency => ZkError.RuntimeInconsistency,
        ErrorCode.ConnectionLoss => ZkError.ConnectionLoss,
        ErrorCode.NoAuth => ZkError.NoAuth,
        ErrorCode.AuthFailed => ZkError.AuthFailed,
        ErrorCode.InvalidAcl => ZkError.InvalidAcl,
        _ => ZkError.SystemError,
    };

    /// <summary>The transaction a write request stands for, or the error to answer instead.</summary>
    public static (Transaction? Transaction, ZkError Error) ToTransaction(ZkOpCode op, ZkRecord request)
    {
        switch (request)
        {
            case ZkCreateRecord create:
                return KindOf(op, create.Flags, create.Ttl) is { } kind
                    ? (new Create(create.Path, create.Data, kind, NodeKinds.HasTtl(kind) ? create.Ttl : null, Acl: create.Acl), ZkError.Ok)
                    : (null, ZkError.BadArguments);
            case ZkAuthRecord { Scheme: "digest" } auth when System.Text.Encoding.UTF8.GetString(auth.Auth) is var text && text.IndexOf(':') > 0:
                var colon = text.IndexOf(':');
                return (new AuthenticateSessionAs(text[..colon], text[(colon + 1)..]), ZkError.Ok);
            case ZkAuthRecord:
                // Other schemes (ip, sasl, x509 over this plain port) have no provider here, as ZooKeeper answers them.
                return (null, ZkError.AuthFailed);
            case ZkSetAclRecord set:
                return (new SetAcl(set.Path, set.Acl, set.Version), ZkError.Ok);
            case ZkDeleteRecord delete:
                return (new Delete(delete.Path, delete.Version), ZkError.Ok);
            case ZkSetDataRecord set:
                return (new SetData(set.Path, set.Data, set.Version), ZkError.Ok);
            case ZkCheckRecord check:
                return (new Check(check.Path, check.Version), ZkError.Ok);
            case ZkMultiRecord multi:
                var ops = new List<Transaction>(multi.Ops.Count);
                foreach (var inner in multi.Ops)
                {
                    var (transaction, error) = ToTransaction(inner.Op, inner.Request);
                    if (transaction is null)
                    {
                        return (null, error);
                    }
                    ops.Add(transaction);
                }
                return (new Multi(ops), ZkError.Ok);
            default:
                return (null, ZkError.Unimplemented);
        }
    }

    /// <summary>
    /// ZooKeeper's CreateMode from its flag, checked against the op: a TTL mode only with createTTL and a positive TTL,
    /// createTTL only with a TTL mode.
    /// </summary>
    public static NodeKind? KindOf(ZkOpCode op, int flags, long? ttl)
    {
        if (flags is < 0 or > (int)NodeKind.PersistentSequentialWithTtl)
        {
            return null;
        }
        var kind = (NodeKind)flags;
        var ttlOp = op == ZkOpCode.CreateTtl;
        if (NodeKinds.HasTtl(kind) != ttlOp || (ttlOp && ttl is not > 0))
        {
            return null;
        }
        return kind;
    }

    /// <summary>The per-op results of a multi: ZooKeeper answers a failed multi with err 0 in the header and every op an error result.</summary>
    public static IReadOnlyList<ZkMultiResult> MultiResults(ZkMultiRecord request, OpResult result)
    {
        switch (result)
        {
            case MultiResult done when done.Results.Count == request.Ops.Count:
                return [.. request.Ops.Zip(done.Results, (op, opResult) => Succeeded(op.Op, opResult))];
            case MultiErrorResult failed when failed.PerOp.Count == request.Ops.Count:
                return [.. failed.PerOp.Select(code => new ZkMultiResult(ZkOpCode.Error, ToZk(code)))];
            default:
                // A whole-multi refusal (e.g. too many ops): every op carries its code.
                var error = result.IsOk ? ZkError.SystemError : ToZk(result.Code);
                return [.. request.Ops.Select(_ => new ZkMultiResult(ZkOpCode.Error, error))];
        }
    }

    private static ZkMultiResult Succeeded(ZkOpCode op, OpResult result) => (op, result) switch
    {
        (ZkOpCode.Create, CreatedResult created) => new ZkMultiResult(ZkOpCode.Create, ZkError.Ok, created.Path),
        (_, CreatedResult created) => new ZkMultiResult(ZkOpCode.Create2, ZkError.Ok, created.Path, created.Stat),
        (ZkOpCode.SetData, StatResult stat) => new ZkMultiResult(ZkOpCode.SetData, ZkError.Ok, Stat: stat.Stat),
        (ZkOpCode.Delete, _) => new ZkMultiResult(ZkOpCode.Delete, ZkError.Ok),
        _ => new ZkMultiResult(ZkOpCode.Check, ZkError.Ok),
    };
}
