using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// Every decision of a client process's one heartbeat, with no Akka and no clock: which sessions are open at which
/// gateway, when each gateway is due its next <see cref="SessionsHeartbeat"/>, and which sessions an acknowledgement,
/// a refusal or a lost connection concerns. The sessions (their cores) keep their own deadlines; this only carries
/// their liveness, so a process's heartbeat costs one message per gateway and interval however many sessions it holds.
/// </summary>
/// <remarks>
/// Each heartbeat names every session open at its gateway (the full list, in parts of at most
/// <see cref="SessionsHeartbeat.MaxSessions"/>), never a change since the last one: a lost heartbeat or answer then
/// needs no repair, and a session that left is simply not named again, so the gateway stops reporting it and the
/// leader expires it on time. A gateway is due every third of the smallest timeout of its sessions, as a session's own
/// heartbeat was. An acknowledgement is credited with the send time of the heartbeat it names, and only to sessions
/// still open at the gateway that sent it.
/// </remarks>
/// <typeparam name="TClient">Whom to tell about a session (its actor); opaque here.</typeparam>
internal sealed class SharedHeartbeatCore<TClient>
    where TClient : notnull
{
    private readonly Dictionary<long, string> _gatewayOf = [];
    private readonly Dictionary<string, GatewayBeat> _gateways = [];
    private readonly Dictionary<long, (string Gateway, long SentAt)> _sent = [];
    private long _nextHeartbeatId;

    /// <summary>The gateways with open sessions.</summary>
    public IEnumerable<string> Gateways => _gateways.Keys;

    public int SessionCount => _gatewayOf.Count;

    /// <summary>Heartbeats sent and not yet forgotten (answered or not): bounded by the sessions' timeouts.</summary>
    public int Remembered => _sent.Count;

    /// <summary>The session is attached at <paramref name="gateway"/> (wherever it was before, it is there alone now).</summary>
    public void Join(long sessionId, TClient client, string gateway, long timeoutMs, long now)
    {
        Leave(sessionId);
        if (!_gateways.TryGetValue(gateway, out var beat))
        {
            _gateways[gateway] = beat = new GatewayBeat(now + timeoutMs / 3);
        }
        beat.Sessions[sessionId] = (client, timeoutMs);
        beat.CountTimeout(timeoutMs, +1);
        // Its attach was its last sign of life: the next heartbeat there must come within a third of its timeout.
        beat.NextAt = Math.Min(beat.NextAt, now + timeoutMs / 3);
        _gatewayOf[sessionId] = gateway;
    }

    /// <summary>The session is no longer attached anywhere (failing over, expired, closed): no heartbeat names it.</summary>
    public void Leave(long sessionId)
    {
        if (!_gatewayOf.Remove(sessionId, out var gateway))
        {
            return;
        }
        var beat = _gateways[gateway];
        if (beat.Sessions.Remove(sessionId, out var member))
        {
            beat.CountTimeout(member.TimeoutMs, -1);
        }
        if (beat.Sessions.Count == 0)
        {
            _gateways.Remove(gateway);
        }
    }

    /// <summary>The heartbeats due by <paramref name="now"/>, each to its gateway, and forgets those too old to credit.</summary>
    public List<(string Gateway, SessionsHeartbeat Heartbeat)> Tick(long now)
    {
        var due = new List<(string Gateway, SessionsHeartbeat Heartbeat)>();
        foreach (var (gateway, beat) in _gateways)
        {
            if (now < beat.NextAt)
            {
                continue;
            }
            foreach (var part in beat.Sessions.Keys.Chunk(SessionsHeartbeat.MaxSessions))
            {
                var id = ++_nextHeartbeatId;
                _sent[id] = (gateway, now);
                due.Add((gateway, new SessionsHeartbeat(id, part)));
            }
            beat.NextAt = now + beat.SmallestTimeout / 3;
        }
        Forget(now);
        return due;
    }

    /// <summary>
    /// What <paramref name="gateway"/>'s acknowledgement credits: the send time of its heartbeat, and the sessions it
    /// names that are still open there. Nothing for a heartbeat forgotten or sent elsewhere.
    /// </summary>
    public (long SentAt, List<(TClient Client, long SessionId)> Sessions)? Acknowledged(string gateway, SessionsHeartbeatAck ack)
    {
        if (!_sent.TryGetValue(ack.HeartbeatId, out var sent) || sent.Gateway != gateway)
        {
            return null;
        }
        return (sent.SentAt, At(gateway, ack.SessionIds));
    }

    /// <summary>The sessions open at <paramref name="gateway"/> that its refusal names.</summary>
    public List<(TClient Client, long SessionId)> Refused(string gateway, SessionsHeartbeatRefused refused) => At(gateway, refused.SessionIds);

    /// <summary>The sessions open at a gateway whose connection closed: each moves on by itself.</summary>
    public List<(TClient Client, long SessionId)> ConnectionLost(string gateway) =>
        _gateways.TryGetValue(gateway, out var beat) ? [.. beat.Sessions.Select(member => (member.Value.Client, member.Key))] : [];

    private List<(TClient Client, long SessionId)> At(string gateway, IReadOnlyList<long> sessionIds)
    {
        var sessions = new List<(TClient Client, long SessionId)>();
        if (!_gateways.TryGetValue(gateway, out var beat))
        {
            return sessions;
        }
        foreach (var id in sessionIds)
        {
            if (beat.Sessions.TryGetValue(id, out var member))
            {
                sessions.Add((member.Client, id));
            }
        }
        return sessions;
    }

    /// <summary>
    /// A heartbeat sent more than the largest timeout ago could only credit a deadline already past: it is forgotten,
    /// so what is remembered stays a few heartbeats per gateway.
    /// </summary>
    private void Forget(long now)
    {
        var longest = _gateways.Values.Select(beat => beat.LargestTimeout).DefaultIfEmpty(0).Max();
        foreach (var (id, sent) in _sent.Where(entry => now - entry.Value.SentAt > longest).ToList())
        {
            _sent.Remove(id);
        }
    }

    private sealed class GatewayBeat(long nextAt)
    {
        /// <summary>How many sessions here have each timeout: the smallest sets the interval.</summary>
        private readonly SortedDictionary<long, int> _timeouts = [];

        public Dictionary<long, (TClient Client, long TimeoutMs)> Sessions { get; } = [];

        public long NextAt { get; set; } = nextAt;

        public long SmallestTimeout => _timeouts.Keys.First();

        public long LargestTimeout => _timeouts.Keys.Last();

        public void CountTimeout(long timeoutMs, int change)
        {
            var count = _timeouts.GetValueOrDefault(timeoutMs) + change;
            if (count == 0)
            {
                _timeouts.Remove(timeoutMs);
            }
            else
            {
                _timeouts[timeoutMs] = count;
            }
        }
    }
}
