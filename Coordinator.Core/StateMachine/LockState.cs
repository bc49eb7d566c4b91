using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// One lock: current holders in grant order (several only when shared), the FIFO queue, and the end of a
/// pending lock-delay. Removed from the table when all three are empty. A semaphore is a lock with a
/// <see cref="Capacity"/>: its holders all share it, at most that many at once.
/// </summary>
internal sealed class LockState(int? capacity = null)
{
    /// <summary>Null for a lock; for a semaphore, how many sessions may hold it at once (at least 1).</summary>
    public int? Capacity { get; } = capacity;

    public List<LockHolder> Holders { get; } = [];

    public List<LockWaiter> Waiters { get; } = [];

    /// <summary>No grant before this slot time; set when a holder vanished rather than released.</summary>
    public long? DelayedUntil { get; set; }

    public bool IsIdle => Holders.Count == 0 && Waiters.Count == 0 && DelayedUntil is null;

    public LockHolder? Holder(long sessionId) => Holders.Find(h => h.SessionId == sessionId);

    public int WaiterIndex(long sessionId) => Waiters.FindIndex(w => w.SessionId == sessionId);

    /// <summary>
    /// Waiters are never granted past an incompatible head, so a writer behind readers is not starved; a
    /// semaphore's waiters are all compatible, so only a full semaphore stops the head.
    /// </summary>
    public bool CanGrant(LockMode mode) => Capacity is { } capacity
        ? Holders.Count < capacity
        : Holders.Count == 0 || (mode == LockMode.Shared && Holders[0].Mode == LockMode.Shared);
}
