using Akka.Actor;
using Akka.Event;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Service.FaultInjection;
using Coordinator.Service.Operations;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>
/// A replica's door for clients, at <c>/user/gateway</c>: the shell of <see cref="GatewayCore{TClient}"/>, which
/// decides everything. This actor identifies clients by their actor refs (the sender of each message), watches them
/// so their sessions go when they do, runs the timers, asks the replica, and carries out the core's outbox.
/// </summary>
internal sealed partial class GatewayActor : UntypedActor, IWithTimers
{
    private readonly GatewayCore<IActorRef> _core;
    private readonly GatewaySettings _settings;
    private readonly IActorRef _replica;
    private readonly bool _unsafeLocalSync = UnsafeLocalSync.Enabled(Context.System.Settings.Config);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly GatewayMetrics _metrics;
    private readonly BackupServer _backups;
    private readonly string _clusterId;
    private readonly AuthBackoff _backoff;

    public GatewayActor(GatewaySettings settings, IActorRef replica, GatewayMetrics metrics, string clusterId)
    {
        _settings = settings;
        _replica = replica;
        _metrics = metrics;
        _core = new GatewayCore<IActorRef>(settings)
        {
            DropReplayedEvent = DropReplayedEvent.From(Context.System.Settings.Config),
            // A client process is one remote ActorSystem: its address names the association its messages come over. A
            // local client (the ZooKeeper front end's connections) is a process of its own: a sender path naming this
            // replica's own address must not speak for every local session at once.
            ProcessOf = client => client.Path.Address.HasLocalScope ? client : client.Path.Address,
        };
        _backups = new BackupServer(clusterId);
        _clusterId = clusterId;
        _backoff = new AuthBackoff(settings.Security.Backoff);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private static long Now => Environment.TickCount64;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("sweep", GatewaySweepTick.Instance, TimeSpan.FromMilliseconds(500));
        Timers.StartPeriodicTimer("liveness", LivenessReportTick.Instance, _settings.LivenessReportInterval);
        Context.System.EventStream.Subscribe(Self, typeof(LeaderChanged));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case WriteRequest write when _unsafeLocalSync && UnsafeLocalSync.TryAnswer(write, _core.AppliedBelow, Sender):
                return;
            case WriteRequest write when InterceptWrite(Sender, write):
                return;
            case WriteRequest write:
                _core.OnWrite(Sender, write, Now);
                break;
            case Login login:
                AwaitBackoff(login);
                return;
            case StateQueryResult { Tag: Login login, Result: UserLookup lookup }:
                Verify(login, lookup.Digest);
                return;
            case LoginChecked checkedLogin:
                OnLoginChecked(checkedLogin);
                break;
            case CertificateExamined examined:
                OnCertificateExamined(examined);
                break;
            case PasswordHashed hashed:
                _core.OnWrite(hashed.Client, hashed.Write with { Transaction = TransactionCodec.Encode(hashed.Store) }, Now, verified: true);
                break;
            case ProposeResponse response:
                _metrics.WriteApplied(_core.PendingOperation(response), response.Result);
                _core.OnProposeResponse(response, Now);
                break;
            case RetryWrite retry:
                _core.OnRetry(retry.Key);
                break;
            case RetryReadIndex retry:
                _core.OnRetryReadIndex(retry.ReadId);
                break;
            case ReadIndexResponse response:
                if (_core.AnswersSync(response))
                {
                    _metrics.SyncAnswered();
                }
                _core.OnReadIndex(response);
                break;
            case CommandApplied applied:
                _core.OnApplied(applied);
                break;
            case StateInstalled installed:
                _core.OnStateInstalled(installed.AppliedBelow);
                break;
            case ReadRequest read:
                if (_core.AdmitRead(Sender, read))
                {
                    RunRead(Sender, read);
                }
                break;
            case AttachRequest attach:
                if (_core.AdmitAttach(Sender, attach))
                {
                    _replica.Tell(new StateQuery(attach.LastSeenSlot + 1, machine => GatewayQueries.Inspect(machine, attach), (attach, Sender)), Self);
                }
                break;
            case StateQueryResult { Tag: (ReadRequest read, IActorRef client), Result: ReadOutcome outcome } result:
                _metrics.ReadAnswered(read.Kind, outcome.Code);
                _core.OnReadDone(client, read, outcome, result.AppliedBelow);
                break;
            case StateQueryResult { Tag: (AttachRequest attach, IActorRef client), Result: AttachOutcome outcome } result:
                _core.OnAttachInspected(client, attach, outcome, result.AppliedBelow, Now);
                break;
            case AddWatchRequest add when _core.IsAttachedBy(add.SessionId, Sender):
                _replica.Tell(new StateQuery(0, machine => GatewayQueries.MayWatch(machine, add.SessionId, add.Watch.Path), (add, Sender)), Self);
                return;
            case AddWatchRequest add:
                _core.OnAddWatch(Sender, add);
                break;
            case StateQueryResult { Tag: (AddWatchRequest add, IActorRef client), Result: ErrorCode allowed }:
                if (allowed == ErrorCode.Ok)
                {
                    _core.OnAddWatch(client, add);
                }
                else
                {
                    client.Tell(new RequestRejected(add.RequestId, RejectReason.NoAuth, $"NoAuth: {add.Watch.Path}: READ is needed to watch it"));
                }
                break;
            case RemoveWatchRequest remove:
                _core.OnRemoveWatch(Sender, remove);
                break;
            case Heartbeat heartbeat:
                _core.OnHeartbeat(Sender, heartbeat, Now);
                break;
            case SessionsHeartbeat heartbeat:
                _core.OnSessionsHeartbeat(Sender, heartbeat, Now);
                break;
            case Terminated gone:
                _core.OnClientGone(gone.ActorRef);
                break;
            case StatusQuery query:
                var asker = Sender;
                _replica.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(2))
                    .PipeTo(Self, success: status => new StatusAnswer(query, asker, status), failure: _ => new StatusAnswer(query, asker, null));
                return;
            case StatusAnswer answer:
                answer.Asker.Tell(Describe(answer.Query, answer.Status));
                return;
            case BackupChunkRequest backup when _backups.Answer(backup, Now) is { } chunk:
                Sender.Tell(chunk);
                return;
            case BackupChunkRequest backup:
                _replica.Tell(new StateQuery(0, BackupServer.Capture, (backup, Sender)), Self);
                return;
            case StateQueryResult { Tag: (BackupChunkRequest backup, IActorRef saver), Result: BackupServer.Captured captured } result:
                saver.Tell(_backups.Keep(backup, result.AppliedBelow, captured, Now));
                return;
            case GatewaySweepTick:
                _core.Sweep(Now);
                _metrics.Observe(_core.AttachedCount, _core.WatchCount);
                _backups.Sweep(Now);
                break;
            case LeaderChanged:
                _core.OnLeaderChanged();
                break;
            case LivenessReportTick:
                _core.ReportLiveness();
                break;
            case SessionsAliveAck ack:
                _core.OnLivenessConfirmed(ack);
                break;
            default:
                _log.Warning("Gateway ignored an unexpected {0} from {1}", message.GetType().Name, Sender);
                Unhandled(message);
                return;
        }
        Drain();
    }

    private void RunRead(IActorRef client, ReadRequest read) =>
        _replica.Tell(new StateQuery(read.LastSeenSlot + 1, machine => GatewayQueries.Read(machine, read.SessionId, read.Kind, read.Path), (read, client)), Self);

    /// <summary>Carries out what the core decided: watch clients first, so none can go unnoticed, then send.</summary>
    private void Drain()
    {
        var outbox = _core.Outbox;
        foreach (var client in outbox.Watch)
        {
            Context.Watch(client);
        }
        foreach (var client in outbox.Unwatch)
        {
            Context.Unwatch(client);
        }
        foreach (var request in outbox.ToReplica)
        {
            _replica.Tell(request, Self);
        }
        foreach (var (client, reply) in outbox.ToClients)
        {
            _metrics.Sent(reply);
            client.Tell(reply);
        }
        foreach (var key in outbox.CancelRetry)
        {
            Timers.Cancel(key);
        }
        foreach (var key in outbox.RetryLater)
        {
            Timers.StartSingleTimer(key, new RetryWrite(key), _settings.WriteRetryInterval);
        }
        foreach (var (client, read) in outbox.ReadsToRun)
        {
            RunRead(client, read);
        }
        foreach (var readId in outbox.ReadIndexRetries)
        {
            Timers.StartSingleTimer(new RetryReadIndex(readId), new RetryReadIndex(readId), _settings.WriteRetryInterval);
        }
        outbox.Clear();
    }

    private ServerStatus Describe(StatusQuery query, ReplicaStatus? status)
    {
        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        var members = state.Members
            .Select(member => $"{member.Address.Host}:{member.Address.Port} {(state.Unreachable.Contains(member) ? "unreachable" : member.Status.ToString().ToLowerInvariant())}")
            .ToList();
        return status is null
            ? new ServerStatus(query.RequestId, 0, "unresponsive", "", 0, 0, 0, _core.AttachedCount, _core.WatchCount, members, _clusterId)
            : new ServerStatus(query.RequestId, status.ReplicaId, status.Role.ToString().ToLowerInvariant(), status.Promised.ToString(),
                status.LeaderHint, status.AppliedBelow, status.KnownChosenBelow, _core.AttachedCount, _core.WatchCount, members, _clusterId);
    }

    private sealed record StatusAnswer(StatusQuery Query, IActorRef Asker, ReplicaStatus? Status);
}
