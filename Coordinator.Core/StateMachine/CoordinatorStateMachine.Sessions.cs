using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

internal sealed partial class CoordinatorStateMachine
{
    private OpResult OpenSession(long sessionId, long sequence, CreateSession create)
    {
        if (_sessions.TryGetValue(sessionId, out var existing))
        {
            if (existing.Secret != create.Secret)
            {
                return Error(ErrorCode.SessionExists);
            }
            if (sequence < existing.LastSequence)
            {
                return Error(ErrorCode.StaleSequence);
            }
            return sequence == existing.LastSequence && existing.LastResult is { } cached
                ? cached
                : Error(ErrorCode.SessionExists);
        }
        if (_ended.Contains(sessionId))
        {
            return Error(ErrorCode.SessionExpired);
        }
        var timeout = Math.Clamp(create.TimeoutMs, _settings.MinSessionTimeoutMs, _settings.MaxSessionTimeoutMs);
        var result = new SessionCreatedResult(sessionId, timeout);
        AddSession(new Session(sessionId, timeout, create.Secret, _time.Now)
        {
            User = create.User,
            LastSequence = sequence,
            LastResult = result,
        });
        return result;
    }

    private OpResult Touch(long sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            return Error(ErrorCode.SessionExpired);
        }
        MarkSeen(session);
        return OkResult.Instance;
    }

    /// <summary>
    /// Close or expiry: in this same slot, delete the session's ephemerals (in path order, with their watch
    /// events), drop it from every lock queue, and release its session-held locks. Only expiry starts the
    /// lock-delay: a close is the holder letting go on purpose. Leases outlive the session until they lapse.
    /// </summary>
    private OpResult EndSession(long sessionId, bool expired)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            return Error(ErrorCode.SessionExpired);
        }
        _events.Add(expired ? new SessionExpired(sessionId, _slot) : new SessionClosed(sessionId, _slot));
        foreach (var path in session.Ephemerals.ToArray())
        {
            var parentPath = PathRules.ParentOf(path);
            RemoveNode(parentPath, Find(parentPath)!, PathRules.NameOf(path), path, Find(path)!);
        }
        foreach (var path in session.Locks.ToArray())
        {
            var state = _locks[path];
            DropUpgrade(state, sessionId);
            var waiter = state.WaiterIndex(sessionId);
            if (waiter >= 0)
            {
                RemoveWaiter(state, waiter);
            }
            if (state.Holder(sessionId) is { LeaseTtlMs: null } holder)
            {
                RemoveHolder(state, holder);
                if (expired)
                {
                    StartLockDelay(state, path);
                }
            }
            Promote(state, path);
            DropIfIdle(state, path);
        }
        RemoveSession(session);
        return OkResult.Instance;
    }
}
