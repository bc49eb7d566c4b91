using Akka.Actor;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

// Between a process's ClientActors and its one HeartbeatActor (local, never on the wire).

/// <summary>
/// This session is attached at <paramref name="Gateway"/>: name it in that gateway's shared heartbeat, and leave its
/// confirmations in <paramref name="Credit"/>.
/// </summary>
internal sealed record JoinHeartbeat(long SessionId, IActorRef Gateway, long TimeoutMs, HeartbeatCredit Credit);

/// <summary>This session is attached nowhere now: name it in no heartbeat.</summary>
internal sealed record LeaveHeartbeat(long SessionId);

/// <summary>
/// The leader heard a shared heartbeat sent at <paramref name="SentAt"/> that named the session at
/// <paramref name="Gateway"/>. One instance serves every session the acknowledgement named.
/// </summary>
internal sealed record HeartbeatConfirmed(string Gateway, long SentAt, long Slot);

/// <summary><paramref name="Gateway"/> would not take the session in a shared heartbeat, for <paramref name="Reason"/>.</summary>
internal sealed record HeartbeatRefused(string Gateway, RejectReason Reason);

/// <summary>The connection to <paramref name="Gateway"/> closed (fanned out by the HeartbeatActor, the one subscriber).</summary>
internal sealed record GatewayConnectionLost(string Gateway);

internal sealed record HeartbeatTick
{
    public static HeartbeatTick Instance { get; } = new();
}
