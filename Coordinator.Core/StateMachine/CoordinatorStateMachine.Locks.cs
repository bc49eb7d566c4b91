using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Chubby-style locks. Grants go strictly in queue order and never past an incompatible head: a new reader
/// queues behind a waiting writer even while readers hold the lock, so writers are not starved; consecutive
/// readers at the head are granted together. A semaphore is the same entry with a capacity N: every holder
/// shares it, the head is granted while fewer than N hold it, and each grant takes its own fencing token from
/// the one counter all locks use. An Upgradeable holder (beside readers, never beside another Upgradeable or a
/// writer) can Upgrade: it becomes the writer, with a new token, once the readers are gone; while it waits nothing
/// else is granted, so it cannot be starved, and a Withdraw gives the upgrade up and keeps the upgradeable hold.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    private OpResult AcquireLock(Session session, Acquire acquire)
    {
        if (!PathRules.IsValid(acquire.Path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (acquire.Mode is not (LockMode.Exclusive or LockMode.Shared or LockMode.Upgradeable))
        {
            return BadArguments(
                $"lock mode {(int)acquire.Mode} is not a lock mode: must be {LockMode.Exclusive}, {LockMode.Shared} or {LockMode.Upgradeable}");
        }
        if (acquire.LeaseTtlMs is <= 0 || acquire.LeaseTtlMs > _settings.MaxLeaseTtlMs)
        {
            return BadArguments($"lease ttl {acquire.LeaseTtlMs} ms is out of range: must be between 1 ms and {_settings.MaxLeaseTtlMs} ms");
        }
        if (acquire.MaxCount is < 1)
        {
            return BadArguments($"semaphore max count {acquire.MaxCount} is out of range: must be at least 1");
        }
        if (acquire.MaxCount is not null && acquire.Mode != LockMode.Shared)
        {
            return BadArguments($"a semaphore is held {LockMode.Shared}, not {acquire.Mode}");
        }
        if (!Allowed(session.Id, GoverningNode(acquire.Path), Permissions.Write))
        {
            return Error(ErrorCode.NoAuth);
        }
        var path = acquire.Path;
        if (_locks.TryGetValue(path, out var state))
        {
            if (state.Capacity != acquire.MaxCount)
            {
                return BadArguments(KindMismatch(path, state.Capacity, acquire.MaxCount));
            }
            if (state.Holder(session.Id) is not null || state.WaiterIndex(session.Id) >= 0)
            {
                return Error(ErrorCode.LockAlreadyRequested);
            }
        }
        else
        {
            state = new LockState(acquire.MaxCount);
        }
        if (state.Waiters.Count == 0 && state.DelayedUntil is null && state.CanGrant(acquire.Mode))
        {
            AddLock(path, state);
            AddToIndex(session.Locks, path);
            return new LockAcquiredResult(Grant(state, path, session.Id, acquire.Mode, acquire.LeaseTtlMs).Token);
        }
        if (!acquire.Wait)
        {
            return Error(ErrorCode.LockBusy);
        }
        AddLock(path, state);
        AddToIndex(session.Locks, path);
        AddWaiter(state, new LockWaiter(session.Id, acquire.Mode, acquire.LeaseTtlMs));
        return new LockQueuedResult(state.Waiters.Count);
    }

    /// <summary>A path is one thing while it has holders, waiters or a lock-delay: a lock or an N-semaphore.</summary>
    private static FormattableString KindMismatch(string path, int? existing, int? requested) => (existing, requested) switch
    {
        (null, _) => $"{path} is a lock, not a semaphore",
        (_, null) => $"{path} is a semaphore of max count {existing}, not a lock",
        _ => $"{path} is a semaphore of max count {existing}, not {requested}",
    };

    private OpResult UpgradeLock(Session session, Upgrade upgrade)
    {
        var path = upgrade.Path;
        if (!PathRules.IsValid(path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (!_locks.TryGetValue(path, out var state) || state.Holder(session.Id) is not { } holder)
        {
            return Error(ErrorCode.NotLockHolder);
        }
        // Becoming the writer is a write lock taken: it needs WRITE, as an exclusive acquire does.
        if (!Allowed(session.Id, GoverningNode(path), Permissions.Write))
        {
            return Error(ErrorCode.NoAuth);
        }
        if (holder.Mode != LockMode.Upgradeable)
        {
            return BadArguments($"{path} is held {holder.Mode}: only an {LockMode.Upgradeable} hold upgrades");
        }
        if (state.UpgradePending)
        {
            return Error(ErrorCode.LockAlreadyRequested);
        }
        if (state.Holders.Count == 1 && state.DelayedUntil is null)
        {
            return new LockAcquiredResult(BecomeWriter(state, path, holder).Token);
        }
        if (!upgrade.Wait)
        {
            return Error(ErrorCode.LockBusy);
        }
        SetUpgradePending(state, true);
        // Ahead of the whole queue: whoever waits there is held up by this holder anyway.
        return new LockQueuedResult(1);
    }

    /// <summary>The Upgradeable hold ends and an Exclusive one, with a token above every earlier one, takes its place.</summary>
    private LockHolder BecomeWriter(LockState state, string path, LockHolder upgradeable)
    {
        RemoveHolder(state, upgradeable);
        return Grant(state, path, upgradeable.SessionId, LockMode.Exclusive, upgradeable.LeaseTtlMs);
    }

    /// <summary>A holder that lets go (release, session end, lapse) takes its pending upgrade with it.</summary>
    private void DropUpgrade(LockState state, long sessionId)
    {
        if (state.UpgradePending && state.Holder(sessionId) is { Mode: LockMode.Upgradeable })
        {
            SetUpgradePending(state, false);
        }
    }

    private OpResult ReleaseLock(Session session, string path)
    {
        if (!PathRules.IsValid(path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (!_locks.TryGetValue(path, out var state) || state.Holder(session.Id) is not { } holder)
        {
            return Error(ErrorCode.NotLockHolder);
        }
        DropUpgrade(state, session.Id);
        RemoveHolder(state, holder);
        RemoveFromIndex(session.Locks, path);
        Promote(state, path);
        DropIfIdle(state, path);
        return OkResult.Instance;
    }

    private OpResult WithdrawWaiter(Session session, string path)
    {
        if (!PathRules.IsValid(path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (!_locks.TryGetValue(path, out var state))
        {
            return Error(ErrorCode.NotLockWaiter);
        }
        if (state.UpgradePending && state.Holder(session.Id) is { Mode: LockMode.Upgradeable })
        {
            // The upgrade is given up, the upgradeable hold kept; the readers queued behind the upgrade may go now.
            SetUpgradePending(state, false);
            Promote(state, path);
            return OkResult.Instance;
        }
        if (state.WaiterIndex(session.Id) is var index && index < 0)
        {
            return Error(ErrorCode.NotLockWaiter);
        }
        RemoveWaiter(state, index);
        RemoveFromIndex(session.Locks, path);
        Promote(state, path);
        DropIfIdle(state, path);
        return OkResult.Instance;
    }

    private OpResult Renew(Session session, string path)
    {
        if (!PathRules.IsValid(path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (!_locks.TryGetValue(path, out var state) || state.Holder(session.Id) is not { } holder)
        {
            return Error(ErrorCode.NotLockHolder);
        }
        // A lease outlives its session: losing WRITE is how an administrator stops one being kept alive.
        if (!Allowed(session.Id, GoverningNode(path), Permissions.Write))
        {
            return Error(ErrorCode.NoAuth);
        }
        if (holder.LeaseTtlMs is null)
        {
            return Error(ErrorCode.NotALease);
        }
        RenewHolder(holder);
        AddTimer(LeaseDue(holder), TimerKind.LeaseLapse, path);
        return OkResult.Instance;
    }

    private OpResult CheckLockToken(long sessionId, CheckToken check)
    {
        if (!PathRules.IsValid(check.Path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (!Allowed(sessionId, GoverningNode(check.Path), Permissions.Read))
        {
            return Error(ErrorCode.NoAuth);
        }
        return _locks.TryGetValue(check.Path, out var state) && state.Holders.Exists(h => h.Token == check.Token)
            ? OkResult.Instance
            : Error(ErrorCode.StaleToken);
    }

    private LockHolder Grant(LockState state, string path, long sessionId, LockMode mode, long? leaseTtlMs)
    {
        var holder = new LockHolder(sessionId, mode, IssueToken(), leaseTtlMs, _time.Clock);
        AddHolder(state, holder);
        if (leaseTtlMs is not null)
        {
            AddTimer(LeaseDue(holder), TimerKind.LeaseLapse, path);
        }
        return holder;
    }

    /// <summary>
    /// Grants a pending upgrade whose holder now holds alone, else the queue head, and the readers right behind a
    /// granted reader (a semaphore's waiters while it has room), unless lock-delay runs.
    /// </summary>
    private void Promote(LockState state, string path)
    {
        if (state.DelayedUntil is { } until)
        {
            if (_time.Clock < DelayDue(until))
            {
                return;
            }
            SetDelay(state, null);
        }
        if (state.CanUpgrade)
        {
            SetUpgradePending(state, false);
            var writer = BecomeWriter(state, path, state.Holders[0]);
            _events.Add(new LockGranted(path, writer.SessionId, LockMode.Exclusive, writer.Token, _slot));
        }
        while (state.Waiters.Count > 0 && state.CanGrant(state.Waiters[0].Mode))
        {
            var waiter = state.Waiters[0];
            RemoveWaiter(state, 0);
            var holder = Grant(state, path, waiter.SessionId, waiter.Mode, waiter.LeaseTtlMs);
            _events.Add(new LockGranted(path, waiter.SessionId, waiter.Mode, holder.Token, _slot));
        }
    }

    /// <summary>A holder vanished without releasing: nobody gets the lock for LockDelayMs (0 turns it off).</summary>
    private void StartLockDelay(LockState state, string path)
    {
        if (_settings.LockDelayMs <= 0)
        {
            return;
        }
        var until = Saturating.Add(_time.Clock, _settings.LockDelayMs);
        until = Math.Max(state.DelayedUntil ?? until, until);
        SetDelay(state, until);
        AddTimer(DelayDue(until), TimerKind.LockDelayEnd, path);
    }

    private void LapseLeases(TimerEntry timer)
    {
        if (!_locks.TryGetValue(timer.Path, out var state))
        {
            return;
        }
        var lapsed = state.Holders.FindAll(h => LeaseDue(h) == timer.Due);
        if (lapsed.Count == 0)
        {
            // A stale timer (the lease was renewed or released) must act on nothing: a replica restored from a
            // snapshot never had it, and a Promote here would grant waiters in a different order than there.
            return;
        }
        foreach (var holder in lapsed)
        {
            DropUpgrade(state, holder.SessionId);
            RemoveHolder(state, holder);
            if (_sessions.TryGetValue(holder.SessionId, out var session))
            {
                RemoveFromIndex(session.Locks, timer.Path);
                _events.Add(new LockLost(timer.Path, holder.SessionId, holder.Token, _slot));
            }
            StartLockDelay(state, timer.Path);
        }
        Promote(state, timer.Path);
        DropIfIdle(state, timer.Path);
    }

    private void EndLockDelay(TimerEntry timer)
    {
        if (!_locks.TryGetValue(timer.Path, out var state) || state.DelayedUntil is not { } until || DelayDue(until) != timer.Due)
        {
            return;
        }
        Promote(state, timer.Path);
        DropIfIdle(state, timer.Path);
    }

    private void DropIfIdle(LockState state, string path)
    {
        if (state.IsIdle)
        {
            RemoveLock(path, state);
        }
    }
}
