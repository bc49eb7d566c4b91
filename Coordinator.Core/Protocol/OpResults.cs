using Coordinator.Client;

namespace Coordinator.Core.Protocol;

/// <summary>The reply to one command: a success payload, or an error code. Cached for exactly-once replies.</summary>
internal abstract record OpResult
{
    public abstract ErrorCode Code { get; }

    public bool IsOk => Code == ErrorCode.Ok;
}

/// <summary>Success without a payload (delete, check, sync, release, withdraw, renew, close, touch, tick).</summary>
internal sealed record OkResult : OpResult
{
    public static OkResult Instance { get; } = new();

    public override ErrorCode Code => ErrorCode.Ok;
}

/// <summary>
/// <paramref name="Reason"/>, when there is one, says what was wrong in words a caller can act on, e.g. which
/// argument is out of which range; the client puts it in the exception's message.
/// </summary>
internal sealed record ErrorResult(ErrorCode Error, string? Reason = null) : OpResult
{
    public override ErrorCode Code => Error;
}

/// <summary>Path is the actual path, with the sequential suffix when there is one.</summary>
internal sealed record CreatedResult(string Path, Stat Stat) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}

internal sealed record StatResult(Stat Stat) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}

internal sealed record SessionCreatedResult(long SessionId, int TimeoutMs) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}

internal sealed record LockAcquiredResult(long Token) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}

/// <summary>The Acquire was queued at this 1-based position; a <see cref="StateMachine.LockGranted"/> event follows later.</summary>
internal sealed record LockQueuedResult(int Position) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}

internal sealed record MultiResult(IReadOnlyList<OpResult> Results) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}

/// <summary>
/// A failed multi changed nothing. PerOp follows ZooKeeper: Ok before the failing op, its error at FailedIndex,
/// RuntimeInconsistency after it. Reason is the failing op's, as in <see cref="ErrorResult"/>.
/// </summary>
internal sealed record MultiErrorResult(ErrorCode Error, int FailedIndex, IReadOnlyList<ErrorCode> PerOp, string? Reason = null) : OpResult
{
    public override ErrorCode Code => Error;
}

/// <summary>setAcl succeeded: the node's new ACL version (ZooKeeper's Stat.aversion) and its Stat.</summary>
internal sealed record AclSetResult(int AclVersion, Stat Stat) : OpResult
{
    public override ErrorCode Code => ErrorCode.Ok;
}
