using Coordinator.Core.Protocol;

namespace Coordinator.Service.Gateway;

/// <summary>A session whose client is attached to this gateway: the one client that may act for it here.</summary>
internal sealed class AttachedSession<TClient>(TClient client, int timeoutMs, long now)
{
    public TClient Client { get; set; } = client;

    public int TimeoutMs { get; } = timeoutMs;

    public long LastHeardAt { get; set; } = now;

    /// <summary>
    /// Heartbeats (or the attach) heard since the last liveness report, waiting to be acknowledged; null when none
    /// waits, which is nearly always once a process's sessions share one heartbeat (a list per idle session would be
    /// most of what the gateway holds for it).
    /// </summary>
    public List<ClientMessage>? AwaitingReport { get; set; }

    public void AwaitReport(ClientMessage ack) => (AwaitingReport ??= []).Add(ack);

    /// <summary>
    /// The latest shared heartbeat that named this session since the last report, and who sent it: acknowledged to that
    /// sender, once, with the other sessions it named. Only the latest: the client credits the send time of the
    /// heartbeat an acknowledgement names, so a later one supersedes an earlier one.
    /// </summary>
    public (TClient Heartbeater, long HeartbeatId)? SharedHeartbeat { get; set; }
}
