using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// One lock: current holders in grant order (several only when shared), the FIFO queue, and the end of a
/// pending lock-delay. Removed from the table when all three are empty. A semaphore is a lock with a
/// <see cref="Capacity"/>: its holders all share it, at most that many at once. Of a lock's holders at most one is
/// Upgradeable, beside Shared ones only, and it may be waiting to upgrade (<see cref="UpgradePending"/>).
/// </summary>
internal sealed class LockState(int? capacity = null)
{
    /// <summary>Null for a lock; for a semaphore, how many sessions may hold it at once (at least 1).</summary>
    public int? Capacity { get; } = capacity;

    public List<LockHolder> Holders { get; } = [];

    public List<LockWaiter> Waiters { get; } = [];

    /// <summary>No grant before this slot time; set when a holder vanished rather than released.</summary>
    public long? DelayedUntil { get; set; }

    /// <summary>
    /// The Upgradeable holder waits to become the writer: it is granted as soon as it holds alone, and nobody is
    /// granted before, so readers arriving meanwhile queue behind it and cannot starve it.
    /// </summary>
    public bool UpgradePending { get; set; }

    public bool IsIdle => Holders.Count == 0 && Waiters.Count == 0 && DelayedUntil is null;

    public LockHolder? Holder(long sessionId) => Holders.Find(h => h.SessionId == sessionId);

    public int WaiterIndex(long sessionId) => Waiters.FindIndex(w => w.SessionId == sessionId);

    /// <summary>
    /// Waiters are never granted past an incompatible head, so a writer behind readers is not starved; a
    /// semaphore's waiters are all compatible, so only a full semaphore stops the head. Shared goes beside Shared
    /// and Upgradeable holders, Upgradeable beside Shared ones only, Exclusive beside nobody; a pending upgrade
    /// stops every grant.
    /// </summary>
    public bool CanGrant(LockMode mode)
    {
        if (Capacity is { } capacity)
        {
            return Holders.Count < capacity;
        }
        if (UpgradePending)
        {
            return false;
        }
        return mode switch
        {
            LockMode.Shared => Holders.TrueForAll(h => h.Mode != LockMode.Exclusive),
            LockMode.Upgradeable => Holders.TrueForAll(h => h.Mode == LockMode.Shared),
            _ => Holders.Count == 0,
        };
    }

    /// <summary>The Upgradeable holder, waiting to upgrade, now holds alone.</summary>
    public bool CanUpgrade => UpgradePending && Holders.Count == 1;
}
