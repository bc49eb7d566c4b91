using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Read-side view of a lock, for the gateway and for simulations checking lock safety slot by slot. Capacity is
/// null for a lock and the max count for a semaphore. UpgradePending: the Upgradeable holder waits to upgrade.
/// </summary>
internal sealed record LockInfo(
    string Path,
    IReadOnlyList<LockHolderInfo> Holders,
    IReadOnlyList<LockWaiter> Waiters,
    long? DelayedUntil,
    int? Capacity = null,
    bool UpgradePending = false);
