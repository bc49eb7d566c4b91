namespace Coordinator.Service.Gateway;

/// <summary>
/// Requests and write bytes unanswered at a gateway, per session and per client (over all its sessions), against
/// one pair of limits: a client with many sessions gets no more room than one session.
/// </summary>
internal sealed class InFlightLimits<TClient>(int maxRequests, long maxBytes)
    where TClient : notnull
{
    private readonly Dictionary<long, Load> _bySession = [];
    private readonly Dictionary<TClient, Load> _byClient = [];

    /// <returns>Why one more request of <paramref name="bytes"/> would exceed a limit, or null when it fits.</returns>
    public string? Refusal(long sessionId, TClient client, long bytes)
    {
        var session = _bySession.GetValueOrDefault(sessionId);
        var sender = _byClient.GetValueOrDefault(client);
        var requests = Math.Max(session?.Requests ?? 0, sender?.Requests ?? 0);
        if (requests >= maxRequests)
        {
            return $"session {sessionId} (or its client) already has {requests} requests in flight";
        }
        var inFlight = Math.Max(session?.Bytes ?? 0, sender?.Bytes ?? 0);
        return inFlight + bytes > maxBytes
            ? $"session {sessionId} (or its client) already has {inFlight} bytes of writes in flight; the limit is {maxBytes}"
            : null;
    }

    public void Admit(long sessionId, TClient client, long bytes) => Add(sessionId, client, 1, bytes);

    public void Answered(long sessionId, TClient client, long bytes) => Add(sessionId, client, -1, -bytes);

    /// <summary>The client is gone: nothing more counts against it (its sessions' writes still do, until answered).</summary>
    public void Forget(TClient client) => _byClient.Remove(client);

    private void Add(long sessionId, TClient client, int requests, long bytes)
    {
        Add(_bySession, sessionId, requests, bytes);
        Add(_byClient, client, requests, bytes);
    }

    private static void Add<TKey>(Dictionary<TKey, Load> loads, TKey key, int requests, long bytes)
        where TKey : notnull
    {
        if (!loads.TryGetValue(key, out var load))
        {
            if (requests < 0)
            {
                return;
            }
            loads[key] = load = new Load();
        }
        load.Requests += requests;
        load.Bytes += bytes;
        if (load.Requests == 0 && load.Bytes == 0)
        {
            loads.Remove(key);
        }
    }

    private sealed class Load
    {
        public int Requests { get; set; }

        public long Bytes { get; set; }
    }
}
