using Coordinator.Core.Consensus;
using System.Reflection;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// Broken: a queued grant's fencing token is the slot of the grant, the shortcut DESIGN §3 suggests and the state
/// machine README warns about - two grants of one lock in one slot (a shared group promoted together, or several
/// semaphore permits) get the same token. Immediate grants keep theirs: an Acquire's result is also the answer
/// to its retries, and rewriting it would be caught as an exactly-once fault before any token check.
/// </summary>
internal sealed class TokenIsSlotMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        return applied with { Events = applied.Events.Select(e => e is LockGranted granted ? granted with { Token = slot } : e).ToList() };
    }
}

/// <summary>
/// Broken: an exclusive Acquire that should queue behind a holder is granted at once. No input makes the real
/// machine do this, so the bug is planted in its lock table; every replica plants it alike, so only the lock
/// checks, not the prefix check, can see it.
/// </summary>
internal sealed class GrantWhileHeldMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    private static readonly FieldInfo LastToken = MachineInternals.Field("_lastToken");

    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        if (transaction is not Acquire { Mode: LockMode.Exclusive } acquire || applied.Result is not LockQueuedResult)
        {
            return applied;
        }
        var state = MachineInternals.Locks(State)[acquire.Path];
        if (state.Holders.Count == 0)
        {
            return applied;
        }
        // A retried Acquire answers its first, queued result from the table of replies, though the planted grant
        // already made the session a holder: there is no waiter left to promote.
        var waiter = state.WaiterIndex(sessionId);
        if (waiter < 0)
        {
            return applied;
        }
        state.Waiters.RemoveAt(waiter);
        var token = (long)LastToken.GetValue(State)! + 1;
        LastToken.SetValue(State, token);
        state.Holders.Add(new LockHolder(sessionId, LockMode.Exclusive, token, acquire.LeaseTtlMs, State.Clock));
        return applied with { Result = new LockAcquiredResult(token) };
    }
}

/// <summary>
/// Broken: a semaphore Acquire that should queue behind a full semaphore is granted at once, one permit too many.
/// Planted in the lock table like <see cref="GrantWhileHeldMachine"/>; every replica plants it alike.
/// </summary>
internal sealed class OverfullSemaphoreMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    private static readonly FieldInfo LastToken = MachineInternals.Field("_lastToken");

    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        if (transaction is not Acquire { MaxCount: { } maxCount } acquire || applied.Result is not LockQueuedResult)
        {
            return applied;
        }
        var state = MachineInternals.Locks(State)[acquire.Path];
        var waiter = state.WaiterIndex(sessionId);
        if (state.Holders.Count < maxCount || waiter < 0)
        {
            return applied;
        }
        state.Waiters.RemoveAt(waiter);
        var token = (long)LastToken.GetValue(State)! + 1;
        LastToken.SetValue(State, token);
        state.Holders.Add(new LockHolder(sessionId, LockMode.Shared, token, acquire.LeaseTtlMs, State.Clock));
        return applied with { Result = new LockAcquiredResult(token) };
    }
}

/// <summary>
/// Broken: an Upgrade that should wait for the readers is granted at once, so the writer holds beside them.
/// Planted in the lock table like <see cref="GrantWhileHeldMachine"/>; every replica plants it alike.
/// </summary>
internal sealed class UpgradeBesideReadersMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    private static readonly FieldInfo LastToken = MachineInternals.Field("_lastToken");

    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        if (transaction is not Upgrade upgrade || applied.Result is not LockQueuedResult)
        {
            return applied;
        }
        var state = MachineInternals.Locks(State)[upgrade.Path];
        // A retried Upgrade answers its first, queued result from the table of replies, though the planted grant
        // already made the session the writer: there is no upgrade left to plant.
        if (!state.UpgradePending || state.Holder(sessionId) is not { Mode: LockMode.Upgradeable } holder)
        {
            return applied;
        }
        state.UpgradePending = false;
        var token = (long)LastToken.GetValue(State)! + 1;
        LastToken.SetValue(State, token);
        state.Holders[state.Holders.IndexOf(holder)] = new LockHolder(sessionId, LockMode.Exclusive, token, holder.LeaseTtlMs, State.Clock);
        return applied with { Result = new LockAcquiredResult(token) };
    }
}

/// <summary>
/// Broken: an upgradeable Acquire that should queue behind another upgradeable holder is granted at once.
/// Planted in the lock table like <see cref="GrantWhileHeldMachine"/>; every replica plants it alike.
/// </summary>
internal sealed class SecondUpgradeableMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    private static readonly FieldInfo LastToken = MachineInternals.Field("_lastToken");

    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        if (transaction is not Acquire { Mode: LockMode.Upgradeable } acquire || applied.Result is not LockQueuedResult)
        {
            return applied;
        }
        var state = MachineInternals.Locks(State)[acquire.Path];
        var waiter = state.WaiterIndex(sessionId);
        if (waiter < 0 || !state.Holders.Exists(h => h.Mode == LockMode.Upgradeable) || state.Holders.Exists(h => h.Mode == LockMode.Exclusive))
        {
            return applied;
        }
        state.Waiters.RemoveAt(waiter);
        var token = (long)LastToken.GetValue(State)! + 1;
        LastToken.SetValue(State, token);
        state.Holders.Add(new LockHolder(sessionId, LockMode.Upgradeable, token, acquire.LeaseTtlMs, State.Clock));
        return applied with { Result = new LockAcquiredResult(token) };
    }
}

/// <summary>
/// Broken: an immediate upgrade keeps the upgradeable grant's token for the write, so a resource server cannot tell
/// the writer from the reader it was. Planted in the lock table and in the session's cached answer, so retries
/// agree and only the token check can see it.
/// </summary>
internal sealed class UpgradeKeepsTokenMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    private static readonly FieldInfo Sessions = MachineInternals.Field("_sessions");

    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var before = transaction is Upgrade u && MachineInternals.Locks(State).TryGetValue(u.Path, out var held)
            ? held.Holder(sessionId)
            : null;
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        if (transaction is not Upgrade upgrade || before is not { Mode: LockMode.Upgradeable } || applied.Result is not LockAcquiredResult)
        {
            return applied;
        }
        var state = MachineInternals.Locks(State)[upgrade.Path];
        var writer = state.Holder(sessionId)!;
        state.Holders[state.Holders.IndexOf(writer)] = new LockHolder(sessionId, LockMode.Exclusive, before.Token, writer.LeaseTtlMs, writer.RenewedAt);
        var kept = new LockAcquiredResult(before.Token);
        ((Dictionary<long, Session>)Sessions.GetValue(State)!)[sessionId].LastResult = kept;
        return applied with { Result = kept };
    }
}

/// <summary>Broken: queued grants happen but their LockGranted events are lost, so a waiter is never told.</summary>
internal sealed class SilentGrantMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        return applied with { Events = applied.Events.Where(e => e is not LockGranted).ToList() };
    }
}

/// <summary>
/// Broken: a lock-delay never ends, so waiters behind a holder that vanished wait forever. Nothing is unsafe and
/// every answer is consistent; only the check that waiters are resolved after healing can see it.
/// </summary>
internal sealed class EndlessLockDelayMachine(StateMachineSettings settings, byte[]? snapshot) : LockSimStateMachine(settings, snapshot)
{
    protected override ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction)
    {
        var applied = base.ApplyTransaction(slot, time, sessionId, sequence, transaction);
        foreach (var state in MachineInternals.Locks(State).Values.Where(state => state.DelayedUntil is not null))
        {
            state.DelayedUntil = long.MaxValue;
        }
        return applied;
    }
}

/// <summary>Reaches into the machine's private state to plant bugs no input could cause.</summary>
internal static class MachineInternals
{
    private static readonly FieldInfo LockTable = Field("_locks");

    public static Dictionary<string, LockState> Locks(CoordinatorStateMachine machine) =>
        (Dictionary<string, LockState>)LockTable.GetValue(machine)!;

    public static FieldInfo Field(string name) =>
        typeof(CoordinatorStateMachine).GetField(name, BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException($"CoordinatorStateMachine has no field {name} any more; update the broken machines");
}
