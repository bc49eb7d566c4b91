namespace Coordinator.Service.StateMachine;

/// <summary>
/// One lock: current holders in grant order (several only when shared), the FIFO queue, and the end of a
/// pending lock-delay. Removed from the table when all three are empty.
/// </summary>
internal sealed class LockState
{
    public List<LockHolder> Holders { get; } = [];

    public List<LockWaiter> Waiters { get; } = [];

    /// <summary>No grant before this slot time; set when a holder vanished rather than released.</summary>
    public long? DelayedUntil { get; set; }

    public bool IsIdle => Holders.Count == 0 && Waiters.Count == 0 && DelayedUntil is null;

    public LockHolder? Holder(long sessionId) => Holders.Find(h => h.SessionId == sessionId);

    public int WaiterIndex(long sessionId) => Waiters.FindIndex(w => w.SessionId == sessionId);

    /// <summary>Waiters are never granted past an incompatible head, so a writer behind readers is not starved.</summary>
    public bool CanGrant(LockMode mode) =>
        Holders.Count == 0 || (mode == LockMode.Shared && Holders[0].Mode == LockMode.Shared);
}

internal sealed class LockHolder(long sessionId, LockMode mode, long token, long? leaseTtlMs, long grantedAt)
{
    public long SessionId { get; } = sessionId;

    public LockMode Mode { get; } = mode;

    public long Token { get; } = token;

    public long? LeaseTtlMs { get; } = leaseTtlMs;

    /// <summary>Slot time of the grant or the last renewal.</summary>
    public long RenewedAt { get; set; } = grantedAt;

    /// <summary>A lease lapses once slot time passes RenewedAt + LeaseTtlMs.</summary>
    public long LeaseDue => LeaseTtlMs is { } ttl ? Saturating.Add(Saturating.Add(RenewedAt, ttl), 1) : long.MaxValue;
}

internal sealed record LockWaiter(long SessionId, LockMode Mode, long? LeaseTtlMs);
