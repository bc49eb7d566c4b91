using Akka.Actor;
using Coordinator.Core.Consensus;

namespace Coordinator.Service.Gateway;

/// <summary>A client write the gateway is getting through the log; retried while no leader takes it.</summary>
internal sealed class PendingWrite(long requestId, IActorRef client, Command command, long firstSentAt)
{
    public long RequestId { get; set; } = requestId;

    public IActorRef Client { get; set; } = client;

    public Command Command { get; } = command;

    public long FirstSentAt { get; } = firstSentAt;

    /// <summary>For a sync served by a read index instead of the log: the id of its read index requests.</summary>
    public long? ReadId { get; init; }
}
