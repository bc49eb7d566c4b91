namespace Coordinator.Service.StateMachine;

/// <summary>Read-side view of a lock, for the gateway and for simulations checking lock safety slot by slot.</summary>
internal sealed record LockInfo(
    string Path,
    IReadOnlyList<LockHolderInfo> Holders,
    IReadOnlyList<LockWaiter> Waiters,
    long? DelayedUntil);

/// <summary>LeaseDeadline is null for a lock held by session rather than by lease.</summary>
internal sealed record LockHolderInfo(long SessionId, LockMode Mode, long Token, long? LeaseDeadline);
