using Coordinator.Core.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

/// <summary>DESIGN §4 invariant 6 as read from the state machine's read side; usable by simulations too.</summary>
internal static class LockInvariants
{
    public static void AssertSafe(CoordinatorStateMachine machine, string where)
    {
        var violation = Violation(machine);
        Assert.True(violation is null, $"{where}: {violation}");
    }

    /// <summary>
    /// The first way the machine's locks break invariant 6, or null; a simulation reports it with its seed. A
    /// semaphore may have at most its max count of holders, all shared: <paramref name="semaphores"/> names every
    /// semaphore path with the count its clients ask for, so a machine that forgot or changed a capacity is caught
    /// rather than believed (without it, the machine's own capacities are used).
    /// </summary>
    public static string? Violation(CoordinatorStateMachine machine, IReadOnlyDictionary<string, int>? semaphores = null)
    {
        foreach (var path in machine.LockPaths())
        {
            var info = machine.GetLock(path)!;
            var capacity = semaphores is null ? info.Capacity : semaphores.TryGetValue(path, out var count) ? count : null;
            if (info.Capacity != capacity)
            {
                return $"{path} has capacity {info.Capacity?.ToString() ?? "none"}, its clients asked for {capacity?.ToString() ?? "a lock"}";
            }
            if (capacity is { } n)
            {
                if (info.Holders.Count > n)
                {
                    return $"{path} has {info.Holders.Count} holders, more than its max count {n}";
                }
                if (info.Holders.Any(h => h.Mode != LockMode.Shared))
                {
                    return $"{path} is a semaphore with a holder not {LockMode.Shared}";
                }
                if (info.Holders.Count < n && info.Waiters.Count > 0 && info.DelayedUntil is null)
                {
                    return $"{path} has waiters but only {info.Holders.Count} of {n} permits held and no delay";
                }
            }
            var exclusive = info.Holders.Count(h => h.Mode == LockMode.Exclusive);
            if (exclusive > 0 && info.Holders.Count > 1)
            {
                return $"{path} has {info.Holders.Count} holders with {exclusive} exclusive";
            }
            var upgradeable = info.Holders.Count(h => h.Mode == LockMode.Upgradeable);
            if (upgradeable > 1)
            {
                return $"{path} has {upgradeable} upgradeable holders";
            }
            if (info.UpgradePending && upgradeable == 0)
            {
                return $"{path} has a pending upgrade but no upgradeable holder";
            }
            if (info.UpgradePending && info.Holders.Count == 1 && info.DelayedUntil is null)
            {
                return $"{path} has a pending upgrade whose holder holds alone and no delay";
            }
            if (info.Holders.Select(h => h.SessionId).Distinct().Count() != info.Holders.Count)
            {
                return $"{path} double holder";
            }
            if (info.Holders.Count == 0 && info.Waiters.Count > 0 && info.DelayedUntil is null)
            {
                return $"{path} has waiters but no holder and no delay";
            }
        }
        return null;
    }
}
