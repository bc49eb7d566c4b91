using Akka.Actor;
using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Service.Gateway;

/// <summary>A session whose client is attached to this gateway: where its notifications go.</summary>
internal sealed class AttachedSession(IActorRef client, int timeoutMs, long now)
{
    public IActorRef Client { get; set; } = client;

    public int TimeoutMs { get; } = timeoutMs;

    public long LastHeardAt { get; set; } = now;

    /// <summary>Heartbeats (or the attach) heard since the last liveness report, waiting to be acknowledged.</summary>
    public List<ClientMessage> AwaitingReport { get; } = [];
}
