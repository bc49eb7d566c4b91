using Coordinator.Core.Protocol;

namespace Coordinator.Service.Gateway;

/// <summary>A session whose client is attached to this gateway: the one client that may act for it here.</summary>
internal sealed class AttachedSession<TClient>(TClient client, int timeoutMs, long now)
{
    public TClient Client { get; set; } = client;

    public int TimeoutMs { get; } = timeoutMs;

    public long LastHeardAt { get; set; } = now;

    /// <summary>Heartbeats (or the attach) heard since the last liveness report, waiting to be acknowledged.</summary>
    public List<ClientMessage> AwaitingReport { get; } = [];

    /// <summary>
    /// The latest shared heartbeat that named this session since the last report, and who sent it: acknowledged to that
    /// sender, once, with the other sessions it named. Only the latest: the client credits the send time of the
    /// heartbeat an acknowledgement names, so a later one supersedes an earlier one.
    /// </summary>
    public (TClient Heartbeater, long HeartbeatId)? SharedHeartbeat { get; set; }
}
