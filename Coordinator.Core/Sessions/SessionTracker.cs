namespace Coordinator.Core.Sessions;

/// <summary>
/// The leader's view of session liveness (ZooKeeper's SessionTrackerImpl), never replicated. Sessions sit in time
/// buckets as in ZooKeeper's ExpiryQueue: a deadline is rounded up to the next multiple of the bucket interval, a touch
/// moves a session between two buckets (or not at all within one interval), and expiry looks only at the buckets that
/// are due. So the cost follows the sessions touched and expired, never the sessions held: an idle cluster of 100,000
/// sessions does no per-session work between reports. A new leader gives every session a full fresh timeout, since it
/// cannot know when the old leader last heard from them. Pure: the caller passes the time.
/// </summary>
/// <remarks>
/// Expiries are handed out in bounded numbers: at most <c>maxExpiriesInFlight</c> proposed and not yet applied, so a
/// storm (a client process with 50,000 sessions dying) reaches the log a few slots at a time and client writes queue
/// behind a bounded number of expiries instead of all of them. The rest wait in their due buckets, oldest first.
/// </remarks>
internal sealed class SessionTracker
{
    private readonly long _bucketIntervalMs;
    private readonly int _maxExpiriesInFlight;
    private readonly Dictionary<long, Tracked> _sessions = [];
    private readonly SortedDictionary<long, HashSet<long>> _buckets = [];

    /// <summary>Sessions whose expiry was proposed and has not been applied (nor the session touched) since.</summary>
    private readonly HashSet<long> _expiring = [];
    private bool _backlogged;

    /// <param name="bucketIntervalMs">Deadlines are rounded up to a multiple of this: a session expires up to one interval late, never early.</param>
    /// <param name="maxExpiriesInFlight">Expiries proposed and not yet applied, at most.</param>
    public SessionTracker(long bucketIntervalMs, int maxExpiriesInFlight)
    {
        if (bucketIntervalMs <= 0 || maxExpiriesInFlight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bucketIntervalMs), "the bucket interval and the expiries in flight must be positive");
        }
        _bucketIntervalMs = bucketIntervalMs;
        _maxExpiriesInFlight = maxExpiriesInFlight;
    }

    public int Count => _sessions.Count;

    public int ExpiriesInFlight => _expiring.Count;

    /// <summary>
    /// The last <see cref="DueForExpiry"/> left due sessions behind for want of room, and half the room is free again:
    /// asking now, rather than at the next check, keeps a storm moving as fast as the log applies it.
    /// </summary>
    public bool ReadyForMore => _backlogged && _expiring.Count <= _maxExpiriesInFlight / 2;

    /// <summary>Buckets holding at least one session: bounded by the longest timeout over the bucket interval.</summary>
    public int BucketCount => _buckets.Count;

    public bool Tracks(long sessionId) => _sessions.ContainsKey(sessionId);

    /// <summary>Forgets every session and tracks <paramref name="live"/> afresh, each with a full timeout from now.</summary>
    public void Reset(long now, IEnumerable<(long SessionId, int TimeoutMs)> live)
    {
        Clear();
        foreach (var (id, timeout) in live)
        {
            Opened(now, id, timeout);
        }
    }

    public void Clear()
    {
        _sessions.Clear();
        _buckets.Clear();
        _expiring.Clear();
        _backlogged = false;
    }

    /// <summary>A session was created: it gets a full timeout from now. One tracked already is left as it is.</summary>
    public void Opened(long now, long sessionId, int timeoutMs)
    {
        if (_sessions.ContainsKey(sessionId))
        {
            return;
        }
        var bucket = BucketOf(now + timeoutMs);
        _sessions[sessionId] = new Tracked(timeoutMs, bucket);
        Bucket(bucket).Add(sessionId);
    }

    /// <summary>A session ended (expired or closed, as applied): it is no longer tracked.</summary>
    public void Ended(long sessionId)
    {
        _expiring.Remove(sessionId);
        if (_sessions.Remove(sessionId, out var tracked))
        {
            Leave(tracked.Bucket, sessionId);
        }
    }

    /// <summary>A gateway heard from these sessions: each gets a full timeout from now. Unknown ids are ignored.</summary>
    public void Touch(long now, IEnumerable<long> sessionIds)
    {
        foreach (var id in sessionIds)
        {
            if (!_sessions.TryGetValue(id, out var tracked))
            {
                continue;
            }
            _expiring.Remove(id);
            Move(id, tracked, BucketOf(now + tracked.TimeoutMs));
        }
    }

    /// <summary>
    /// Sessions past their deadline whose expiry should be proposed now, oldest deadline first, at most as many as
    /// leave the expiries in flight within their bound. One proposed comes round again a timeout later if neither
    /// applied nor touched meanwhile (the proposal may have been lost with a refusal).
    /// </summary>
    public IReadOnlyList<long> DueForExpiry(long now)
    {
        var due = new List<long>();
        _backlogged = false;
        while (_buckets.Count > 0)
        {
            var (bucket, sessions) = First();
            if (bucket > now)
            {
                break;
            }
            foreach (var id in sessions.ToList())
            {
                var retry = _expiring.Contains(id);
                if (!retry && _expiring.Count >= _maxExpiriesInFlight)
                {
                    _backlogged = true;
                    return due;
                }
                _expiring.Add(id);
                due.Add(id);
                var tracked = _sessions[id];
                Move(id, tracked, BucketOf(now + tracked.TimeoutMs));
            }
        }
        return due;
    }

    /// <summary>The end of the interval a time falls in, as ZooKeeper's ExpiryQueue rounds: later, never earlier.</summary>
    private long BucketOf(long time) => (time / _bucketIntervalMs + 1) * _bucketIntervalMs;

    private KeyValuePair<long, HashSet<long>> First()
    {
        using var enumerator = _buckets.GetEnumerator();
        enumerator.MoveNext();
        return enumerator.Current;
    }

    private void Move(long id, Tracked tracked, long bucket)
    {
        if (bucket == tracked.Bucket)
        {
            return;
        }
        Leave(tracked.Bucket, id);
        Bucket(bucket).Add(id);
        _sessions[id] = tracked with { Bucket = bucket };
    }

    private HashSet<long> Bucket(long bucket)
    {
        if (!_buckets.TryGetValue(bucket, out var sessions))
        {
            _buckets[bucket] = sessions = [];
        }
        return sessions;
    }

    private void Leave(long bucket, long id)
    {
        if (_buckets.TryGetValue(bucket, out var sessions) && sessions.Remove(id) && sessions.Count == 0)
        {
            _buckets.Remove(bucket);
        }
    }

    private readonly record struct Tracked(int TimeoutMs, long Bucket);
}
