using Coordinator.Client;
using Coordinator.Client.Protocol;

namespace Coordinator.Service.StateMachine;

/// <summary>Read-side view of a lock, for the gateway and for simulations checking lock safety slot by slot.</summary>
internal sealed record LockInfo(
    string Path,
    IReadOnlyList<LockHolderInfo> Holders,
    IReadOnlyList<LockWaiter> Waiters,
    long? DelayedUntil);
