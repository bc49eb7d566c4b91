namespace Coordinator.Core.Sessions;

/// <summary>
/// The leader's view of session liveness (ZooKeeper's SessionTrackerImpl): a deadline per session, pushed on by the
/// heartbeats gateways report and never replicated. A new leader gives every session a full fresh timeout, since it
/// cannot know when the old leader last heard from them. Pure: the caller passes the time.
/// </summary>
internal sealed class SessionTracker
{
    private readonly Dictionary<long, Tracked> _sessions = [];

    public int Count => _sessions.Count;

    /// <summary>Adds sessions the state machine has that the tracker does not (with a full timeout) and drops ended ones.</summary>
    public void Sync(long now, IEnumerable<(long SessionId, int TimeoutMs)> live)
    {
        var seen = new HashSet<long>();
        foreach (var (id, timeout) in live)
        {
            seen.Add(id);
            if (!_sessions.ContainsKey(id))
            {
                _sessions[id] = new Tracked(timeout, now + timeout, ExpiryProposedAt: null);
            }
        }
        foreach (var gone in _sessions.Keys.Where(id => !seen.Contains(id)).ToList())
        {
            _sessions.Remove(gone);
        }
    }

    public void Clear() => _sessions.Clear();

    public void Touch(long now, IEnumerable<long> sessionIds)
    {
        foreach (var id in sessionIds)
        {
            if (_sessions.TryGetValue(id, out var tracked))
            {
                _sessions[id] = tracked with { Deadline = now + tracked.TimeoutMs, ExpiryProposedAt = null };
            }
        }
    }

    /// <summary>
    /// Sessions past their deadline whose expiry should be proposed now: once, and again if it has not been applied
    /// a timeout later (the proposal may have been lost with a leader change).
    /// </summary>
    public IReadOnlyList<long> DueForExpiry(long now)
    {
        var due = new List<long>();
        foreach (var (id, tracked) in _sessions)
        {
            if (now >= tracked.Deadline && (tracked.ExpiryProposedAt is not { } proposed || now - proposed >= tracked.TimeoutMs))
            {
                due.Add(id);
            }
        }
        foreach (var id in due)
        {
            _sessions[id] = _sessions[id] with { ExpiryProposedAt = now };
        }
        return due;
    }

    private readonly record struct Tracked(int TimeoutMs, long Deadline, long? ExpiryProposedAt);
}
