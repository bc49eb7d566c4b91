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
}
