using Coordinator.Service.StateMachine;

using Coordinator.Client.Protocol;

namespace Coordinator.Tests.StateMachine;

/// <summary>DESIGN §4 invariant 6 as read from the state machine's read side; usable by simulations too.</summary>
internal static class LockInvariants
{
    public static void AssertSafe(CoordinatorStateMachine machine, string where)
    {
        foreach (var path in machine.LockPaths())
        {
            var info = machine.GetLock(path)!;
            var exclusive = info.Holders.Count(h => h.Mode == LockMode.Exclusive);
            Assert.True(exclusive == 0 || info.Holders.Count == 1, $"{where}: {path} has {info.Holders.Count} holders with {exclusive} exclusive");
            Assert.True(info.Holders.Select(h => h.SessionId).Distinct().Count() == info.Holders.Count, $"{where}: {path} double holder");
            Assert.True(info.Holders.Count > 0 || info.Waiters.Count == 0 || info.DelayedUntil is not null, $"{where}: {path} has waiters but no holder and no delay");
        }
    }
}
