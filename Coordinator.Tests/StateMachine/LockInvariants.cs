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

    /// <summary>The first way the machine's locks break invariant 6, or null; a simulation reports it with its seed.</summary>
    public static string? Violation(CoordinatorStateMachine machine)
    {
        foreach (var path in machine.LockPaths())
        {
            var info = machine.GetLock(path)!;
            var exclusive = info.Holders.Count(h => h.Mode == LockMode.Exclusive);
            if (exclusive > 0 && info.Holders.Count > 1)
            {
                return $"{path} has {info.Holders.Count} holders with {exclusive} exclusive";
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
