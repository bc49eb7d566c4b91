using Akka.Actor;
using Akka.Remote;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// A client ActorSystem's one heartbeat, the shell of <see cref="SharedHeartbeatCore{TClient}"/>: the system's
/// ClientActors join it when attached and leave it when not; it sends each gateway one
/// <see cref="SessionsHeartbeat"/> per interval and leaves each acknowledgement in the credit of every session it
/// confirms (refusals go to the sessions as messages: they are rare and must act at once). It is also the
/// system's one subscriber to closed connections, which it passes to the sessions attached there: a subscription per
/// session made connecting n sessions cost O(n²) in the EventStream.
/// </summary>
internal sealed class HeartbeatActor : ReceiveActor, IWithTimers
{
    /// <summary>Fine enough for the smallest interval (a third of a session timeout); one timer for the whole process.</summary>
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(50);

    private readonly SharedHeartbeatCore<(IActorRef Actor, HeartbeatCredit Credit)> _core = new();
    private readonly Dictionary<string, IActorRef> _gateways = [];

    public HeartbeatActor()
    {
        Receive<JoinHeartbeat>(join =>
        {
            var gateway = join.Gateway.Path.Address.ToString();
            _gateways[gateway] = join.Gateway;
            _core.Join(join.SessionId, (Sender, join.Credit), gateway, join.TimeoutMs, ClientClock.NowMs);
        });
        Receive<LeaveHeartbeat>(leave =>
        {
            _core.Leave(leave.SessionId);
            foreach (var gone in _gateways.Keys.Except(_core.Gateways).ToList())
            {
                _gateways.Remove(gone);
            }
        });
        Receive<HeartbeatTick>(_ =>
        {
            foreach (var (gateway, heartbeat) in _core.Tick(ClientClock.NowMs))
            {
                _gateways[gateway].Tell(heartbeat, Self);
            }
        });
        Receive<SessionsHeartbeatAck>(ack =>
        {
            var gateway = Sender.Path.Address.ToString();
            if (_core.Acknowledged(gateway, ack) is var (sentAt, sessions))
            {
                var confirmed = new HeartbeatConfirmed(gateway, sentAt, ack.Slot);
                foreach (var (client, _) in sessions)
                {
                    client.Credit.Confirm(confirmed);
                }
            }
        });
        Receive<SessionsHeartbeatRefused>(refused =>
        {
            var gateway = Sender.Path.Address.ToString();
            var message = new HeartbeatRefused(gateway, refused.Reason);
            foreach (var (client, _) in _core.Refused(gateway, refused))
            {
                client.Actor.Tell(message, Self);
            }
        });
        Receive<DisassociatedEvent>(lost =>
        {
            var gateway = lost.RemoteAddress.ToString();
            var message = new GatewayConnectionLost(gateway);
            foreach (var (client, _) in _core.ConnectionLost(gateway))
            {
                client.Actor.Tell(message, Self);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));
        Timers.StartPeriodicTimer("heartbeat", HeartbeatTick.Instance, TickInterval);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
