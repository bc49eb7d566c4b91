using Akka.Actor;
using Coordinator.Service.Consensus;

namespace Coordinator.Service.Gateway;

/// <summary>A client write the gateway is getting through the log; retried while no leader takes it.</summary>
internal sealed class PendingWrite(long requestId, IActorRef client, Command command, long firstSentAt)
{
    public long RequestId { get; set; } = requestId;

    public IActorRef Client { get; set; } = client;

    public Command Command { get; } = command;

    public long FirstSentAt { get; } = firstSentAt;
}
