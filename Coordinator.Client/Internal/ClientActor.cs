using System.Buffers.Binary;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Coordinator.Client.Diagnostics;
using Coordinator.Core.Protocol;
using Microsoft.Extensions.Logging;

namespace Coordinator.Client;

/// <summary>
/// The one actor of a client, a shell around <see cref="ClientSessionCore"/>: it feeds the core the public client's
/// commands, the gateways' messages, the shared heartbeat's refusals, closed connections and a wake-up at the core's
/// next deadline (every message first hands the core the shared heartbeat's latest confirmation, from its credit), with the monotonic
/// time, and carries out what the core returns, in order. It tells the process's <see cref="HeartbeatActor"/> where
/// the session is attached (and when it is not). The randomness the core must not have (the first server, session
/// ids and secrets) is drawn here.
/// </summary>
internal sealed class ClientActor : ReceiveActor, IWithTimers
{
    private readonly CoordinatorClientOptions _options;
    private readonly ClientStatus _status;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>The application's logger, when it gave a factory; Akka's log otherwise.</summary>
    private readonly ILogger? _logger;
    private readonly ActorSelection[] _gateways;
    private readonly ClientSessionCore _core;
    private readonly IActorRef _heartbeat;
    private readonly HeartbeatCredit _credit = new();

    /// <summary>The gateway (and timeout) the shared heartbeat names this session at, as it was last told.</summary>
    private (string Gateway, long TimeoutMs)? _joined;

    /// <summary>When the wake-up timer is set to fire; null when none is set.</summary>
    private long? _wakeAt;

    /// <summary>The shared heartbeat's confirmation the core was last given.</summary>
    private HeartbeatConfirmed? _credited;

    /// <summary>How this client counts in the process's session gauge (connected, disconnected, or not at all).</summary>
    private KeyValuePair<string, object?>? _countedAs;

    public ClientActor(CoordinatorClientOptions options, ClientStatus status)
    {
        _options = options;
        _status = status;
        _logger = options.LoggerFactory?.CreateLogger("Coordinator.Client");
        _gateways = [.. options.Servers.Select(server => GatewayAddress.Select(Context.System, server))];
        _core = new ClientSessionCore(ClientSessionSettings.From(options), DrawIdentity);
        _heartbeat = ClientHeartbeats.Of(Context.System);
        Receive<StartSession>(OnStart);
        Receive<SubmitWrite>(submit => Run(_core.SubmitWrite(Now, submit)));
        Receive<SubmitRead>(submit => Run(_core.SubmitRead(Now, submit)));
        Receive<Subscribe>(subscribe => Run(_core.Subscribe(Now, subscribe)));
        Receive<Unsubscribe>(unsubscribe => Run(_core.Unsubscribe(unsubscribe)));
        Receive<Shutdown>(shutdown => Run(_core.Shutdown(shutdown.Completion)));
        Receive<CheckTick>(_ =>
        {
            _wakeAt = null;
            Run(_core.Tick(Now));
        });
        Receive<ClientMessage>(message => Run(_core.Receive(Now, message, Sender.Path.Address.ToString())));
        Receive<HeartbeatRefused>(refused => Run(_core.HeartbeatRefused(Now, refused.Gateway, refused.Reason)));
        // A replica that dies closes its TCP connections at once; the core moves an attached session on then.
        Receive<GatewayConnectionLost>(lost => Run(_core.ConnectionLost(Now, lost.Gateway)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The process's monotonic milliseconds: the core's time, and the shared heartbeat's.</summary>
    private static long Now => ClientClock.NowMs;

    protected override void PostStop()
    {
        if (_joined is not null)
        {
            _heartbeat.Tell(new LeaveHeartbeat(_core.SessionId));
        }
        ClientTelemetry.Stopped(_countedAs);
    }

    /// <summary>
    /// The shared heartbeat's latest confirmation goes to the core before anything else it handles: a wake-up may find
    /// its deadline moved, and a session that leaves its gateway (a closed connection, a refusal) keeps the time the
    /// gateway's last acknowledgement bought it.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_credit.Latest is { } confirmed && !ReferenceEquals(confirmed, _credited))
        {
            _credited = confirmed;
            Run(_core.HeartbeatConfirmed(confirmed.Gateway, confirmed.SentAt, confirmed.Slot));
        }
        return base.AroundReceive(receive, message);
    }

    private void OnStart(StartSession start) =>
        Run(_core.Start(Now, RandomNumberGenerator.GetInt32(_options.Servers.Count), start.Completion));

    /// <summary>
    /// Session ids and secrets come from the cryptographic generator: an id is public (every ephemeral node names
    /// its owner), so the secret that lets a client attach to it must not be guessable from ids seen.
    /// </summary>
    private static SessionIdentity DrawIdentity()
    {
        Span<byte> bytes = stackalloc byte[16];
        long id;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            id = BinaryPrimitives.ReadInt64LittleEndian(bytes) & long.MaxValue;
        }
        while (id is 0 or long.MaxValue);
        return new SessionIdentity(id, BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]));
    }

    /// <summary>
    /// Publishes the core's status first (a caller whose task completes below must see the slot it completed at),
    /// then carries out the outputs in the core's order.
    /// </summary>
    private void Run(IReadOnlyList<ClientOutput> outputs)
    {
        _status.SessionId = _core.SessionId;
        _status.LastSeenSlot = _core.LastSeenSlot;
        _status.SessionTimeout = TimeSpan.FromMilliseconds(_core.NegotiatedTimeoutMs);
        foreach (var output in outputs)
        {
            switch (output)
            {
                case SendToServer send:
                    _gateways[send.Server].Tell(send.Message, Self);
                    break;
                case SettleCall settle:
                    settle.Run();
                    break;
                case DeliverEvent deliver:
                    Invoke(() => deliver.Subscription.Deliver(deliver.Event));
                    break;
                case PublishState publish:
                    _countedAs = ClientTelemetry.StateChanged(_countedAs, publish.State);
                    _logger?.LogInformation("Session {SessionId:x} is {State}", _core.SessionId, publish.State);
                    _status.State = publish.State;
                    Invoke(() => _status.StateChanged?.Invoke(publish.State));
                    break;
                case EndSubscription end:
                    Invoke(() => end.Subscription.End?.Invoke(end.Error));
                    break;
                case ReportLockLost lost:
                    Invoke(() => _status.LockLost?.Invoke(lost.Path, lost.Token));
                    break;
                case Warn warn:
                    if (_logger is null)
                    {
                        _log.Warning("{0}: {1}", _options.Servers[warn.Server], warn.Message);
                    }
                    else
                    {
                        _logger.LogWarning("{Server}: {Warning}", _options.Servers[warn.Server], warn.Message);
                    }
                    break;
            }
        }
        FollowHeartbeat();
        if (_core.NextWakeAt is not { } wake)
        {
            Timers.CancelAll();
            _wakeAt = null;
        }
        else if (_wakeAt is not { } set || wake < set)
        {
            // Only an earlier deadline moves the timer: one that moved later (a heartbeat was acknowledged) is found
            // when the timer fires, which then sets it again. An idle session wakes once per heartbeat interval, at its grace point.
            _wakeAt = wake;
            Timers.StartSingleTimer("check", CheckTick.Instance, TimeSpan.FromMilliseconds(Math.Max(1, wake - Now)));
        }
    }

    /// <summary>
    /// Tells the shared heartbeat where the session is attached now. The core becomes attached only on an
    /// AttachResponse, so the gateway to name is that message's sender.
    /// </summary>
    private void FollowHeartbeat()
    {
        var wanted = _core.HeartbeatGateway is { } gateway ? (gateway, _core.HeartbeatTimeoutMs) : ((string, long)?)null;
        if (wanted == _joined)
        {
            return;
        }
        if (wanted is { } join)
        {
            _heartbeat.Tell(new JoinHeartbeat(_core.SessionId, Sender, join.Item2, _credit), Self);
        }
        else
        {
            _heartbeat.Tell(new LeaveHeartbeat(_core.SessionId), Self);
        }
        _joined = wanted;
    }

    private void Invoke(Action callback)
    {
        try
        {
            callback();
        }
        catch (Exception e)
        {
            if (_logger is null)
            {
                _log.Error(e, "A Coordinator client callback threw; the client ignores it.");
            }
            else
            {
                _logger.LogError(e, "A Coordinator client callback threw; the client ignores it.");
            }
        }
    }
}
