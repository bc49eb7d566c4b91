using Akka.Actor;
using Akka.Event;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Service.FaultInjection;
using Coordinator.Service.Runtime;
using Coordinator.Core.StateMachine;
using LogCommand = Coordinator.Core.Consensus.Command;

namespace Coordinator.Service.Gateway;

/// <summary>
/// A replica's door for clients, at <c>/user/gateway</c>. Writes go through the local replica to the leader's log;
/// the answer is held until this replica has applied that slot, so the client's next read here sees its write and
/// every watch event of that slot was sent first. Reads and session checks run on the replica's own applied state,
/// never older than the client's last seen slot. Watches live here, not in the log.
/// </summary>
internal sealed class GatewayActor : UntypedActor, IWithTimers
{
    private readonly GatewaySettings _settings;
    private readonly IActorRef _replica;
    private readonly bool _unsafeLocalSync = UnsafeLocalSync.Enabled(Context.System.Settings.Config);
    private static readonly byte[] SyncDone = ResultCodec.Encode(OkResult.Instance);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, AttachedSession> _attached = [];
    private readonly WatchTable _watches = new();
    private readonly Dictionary<(long Session, long Sequence), PendingWrite> _writes = [];
    private readonly PriorityQueue<(IActorRef Client, WriteResponse Response), long> _answersWaitingForApply = new();
    private readonly Dictionary<long, int> _inFlight = [];
    /// <summary>Syncs waiting for a read index, by the id of their read index requests.</summary>
    private readonly Dictionary<long, (long Session, long Sequence)> _syncs = [];
    private long _nextReadId;
    private long _appliedBelow;
    private long _nextReportId;

    /// <summary>Acknowledgements held until the leader confirms the report that carried their session.</summary>
    private readonly Dictionary<long, List<(long SessionId, ClientMessage Ack)>> _reportsInFlight = [];

    public GatewayActor(GatewaySettings settings, IActorRef replica)
    {
        _settings = settings;
        _replica = replica;
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
            case WriteRequest write:
                OnWrite(write);
                break;
            case ProposeResponse response:
                OnProposeResponse(response);
                break;
            case RetryWrite retry when _writes.TryGetValue((retry.SessionId, retry.Sequence), out var pending):
                Submit(pending);
                break;
            case ReadIndexResponse response:
                OnReadIndex(response);
                break;
            case CommandApplied applied:
                OnApplied(applied);
                break;
            case ReadRequest read:
                _replica.Tell(new StateQuery(read.LastSeenSlot + 1, machine => Read(machine, read.Kind, read.Path), (read, Sender)), Self);
                break;
            case AttachRequest attach:
                _replica.Tell(new StateQuery(attach.LastSeenSlot + 1, machine => Inspect(machine, attach), (attach, Sender)), Self);
                break;
            case StateQueryResult { Tag: (ReadRequest read, IActorRef client), Result: ReadOutcome outcome } result:
                OnRead(read, client, outcome, result.AppliedBelow);
                break;
            case StateQueryResult { Tag: (AttachRequest attach, IActorRef client), Result: AttachOutcome outcome } result:
                OnAttach(attach, client, outcome, result.AppliedBelow);
                break;
            case AddWatchRequest add:
                _watches.Add(add.SessionId, add.Watch);
                Sender.Tell(new WatchAck(add.RequestId, _appliedBelow - 1));
                break;
            case RemoveWatchRequest remove:
                _watches.Remove(remove.SessionId, remove.Watch);
                Sender.Tell(new WatchAck(remove.RequestId, _appliedBelow - 1));
                break;
            case Heartbeat heartbeat:
                OnHeartbeat(heartbeat);
                break;
            case StatusQuery query:
                var asker = Sender;
                _replica.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(2))
                    .PipeTo(Self, success: status => new StatusAnswer(query, asker, status), failure: _ => new StatusAnswer(query, asker, null));
                break;
            case StatusAnswer answer:
                answer.Asker.Tell(Describe(answer.Query, answer.Status));
                break;
            case GatewaySweepTick:
                Sweep();
                break;
            case LeaderChanged:
                ProposeUnansweredAgain();
                ReportUnconfirmedAgain();
                break;
            case LivenessReportTick:
                ReportLiveness();
                break;
            case SessionsAliveAck ack:
                OnLivenessConfirmed(ack);
                break;
            default:
                _log.Warning("Gateway ignored an unexpected {0} from {1}", message.GetType().Name, Sender);
                Unhandled(message);
                break;
        }
    }

    private void OnWrite(WriteRequest write)
    {
        if (_unsafeLocalSync && UnsafeLocalSync.TryAnswer(write, _appliedBelow, Sender))
        {
            return;
        }
        if (write.Transaction.Length > _settings.MaxRequestBytes)
        {
            Sender.Tell(new RequestRejected(write.RequestId, RejectReason.RequestTooLarge,
                $"request of {write.Transaction.Length} bytes exceeds the {_settings.MaxRequestBytes}-byte limit"));
            return;
        }
        var key = (write.SessionId, write.Sequence);
        if (_writes.TryGetValue(key, out var resent))
        {
            // The client resent after a timeout: answer whichever attempt completes, to its latest request id.
            resent.RequestId = write.RequestId;
            resent.Client = Sender;
        }
        else
        {
            var inFlight = _inFlight.GetValueOrDefault(write.SessionId);
            if (inFlight >= _settings.MaxInFlightPerSession)
            {
                Sender.Tell(new RequestRejected(write.RequestId, RejectReason.TooManyInFlight,
                    $"session {write.SessionId} already has {inFlight} requests in flight"));
                return;
            }
            _inFlight[write.SessionId] = inFlight + 1;
            // A sync of a session attached here needs no log slot: a read index from the leader, then this replica
            // applying everything below it, make the reads that follow linearizable. Other sessions' syncs (not
            // attached yet) keep going through the log, where the state machine checks the session.
            var readId = TransactionCodec.IsSync(write.Transaction) && _attached.ContainsKey(write.SessionId) ? ++_nextReadId : (long?)null;
            _writes[key] = new PendingWrite(write.RequestId, Sender, new LogCommand(write.SessionId, write.Sequence, write.Transaction), Now) { ReadId = readId };
            if (readId is { } id)
            {
                _syncs[id] = key;
            }
        }
        Submit(_writes[key]);
    }

    private void Submit(PendingWrite pending)
    {
        if (pending.ReadId is { } readId)
        {
            _replica.Tell(new ReadIndexRequest(readId), Self);
        }
        else
        {
            _replica.Tell(new ProposeRequest(pending.Command), Self);
        }
    }

    private void OnReadIndex(ReadIndexResponse response)
    {
        if (!_syncs.TryGetValue(response.RequestId, out var key) || !_writes.TryGetValue(key, out var pending))
        {
            return;
        }
        if (response.Index is not { } index)
        {
            Timers.StartSingleTimer(key, new RetryWrite(key.Session, key.Sequence), _settings.WriteRetryInterval);
            return;
        }
        Finish(key);
        var answer = new WriteResponse(pending.RequestId, index - 1, SyncDone);
        if (index <= _appliedBelow)
        {
            pending.Client.Tell(answer);
        }
        else
        {
            _answersWaitingForApply.Enqueue((pending.Client, answer), index - 1);
        }
    }

    private void OnProposeResponse(ProposeResponse response)
    {
        var key = (response.SessionId, response.Sequence);
        if (!_writes.TryGetValue(key, out var pending))
        {
            return;
        }
        if (response.Status != ProposeStatus.Applied)
        {
            Timers.StartSingleTimer(key, new RetryWrite(key.SessionId, key.Sequence), _settings.WriteRetryInterval);
            return;
        }
        Finish(key);
        var answer = new WriteResponse(pending.RequestId, response.Slot, response.Result);
        if (response.Slot < _appliedBelow)
        {
            pending.Client.Tell(answer);
        }
        else
        {
            _answersWaitingForApply.Enqueue((pending.Client, answer), response.Slot);
        }
    }

    private void OnApplied(CommandApplied applied)
    {
        _appliedBelow = Math.Max(_appliedBelow, applied.Slot + 1);
        foreach (var change in applied.Events)
        {
            Notify(change);
        }
        while (_answersWaitingForApply.TryPeek(out var waiting, out var slot) && slot < _appliedBelow)
        {
            _answersWaitingForApply.Dequeue();
            waiting.Client.Tell(waiting.Response);
        }
    }

    private void Notify(StateMachineEvent change)
    {
        switch (change)
        {
            case LockGranted granted:
                Tell(granted.SessionId, new LockGrantedNotification(granted.SessionId, granted.Path, granted.Token, granted.Slot));
                break;
            case LockLost lost:
                Tell(lost.SessionId, new LockLostNotification(lost.SessionId, lost.Path, lost.Token, lost.Slot));
                break;
            case SessionExpired expired:
                EndSession(expired.SessionId, expired.Slot);
                break;
            case SessionClosed closed:
                EndSession(closed.SessionId, closed.Slot);
                break;
            default:
                foreach (var notification in _watches.Trigger(change))
                {
                    Tell(notification.SessionId, notification);
                }
                break;
        }
    }

    private void EndSession(long sessionId, long slot)
    {
        Tell(sessionId, new SessionEndedNotification(sessionId, slot));
        _attached.Remove(sessionId);
        _watches.RemoveSession(sessionId);
    }

    private void Tell(long sessionId, ClientMessage message)
    {
        if (_attached.TryGetValue(sessionId, out var session))
        {
            session.Client.Tell(message);
        }
    }

    private void OnRead(ReadRequest read, IActorRef client, ReadOutcome outcome, long appliedBelow)
    {
        // ZooKeeper's rule: a getData/getChildren of a missing node leaves no watch; exists always does.
        if (read.Watch && (outcome.Code == ErrorCode.Ok || read.Kind == ReadKind.Exists))
        {
            _watches.Add(read.SessionId, new WatchRegistration(read.Path, read.Kind == ReadKind.GetChildren ? WatchKind.Children : WatchKind.Data));
        }
        client.Tell(new ReadResponse(read.RequestId, appliedBelow - 1, outcome.Code, outcome.Stat, outcome.Data, outcome.Children));
    }

    private void OnAttach(AttachRequest attach, IActorRef client, AttachOutcome outcome, long appliedBelow)
    {
        if (outcome.Session is not { } session)
        {
            client.Tell(new RequestRejected(attach.RequestId, RejectReason.UnknownSession, $"session {attach.SessionId} does not exist or has expired"));
            return;
        }
        if (session.Secret != attach.Secret)
        {
            client.Tell(new RequestRejected(attach.RequestId, RejectReason.WrongSecret, $"wrong secret for session {attach.SessionId}"));
            return;
        }
        foreach (var (path, token) in outcome.HeldAwaitedLocks)
        {
            client.Tell(new LockGrantedNotification(attach.SessionId, path, token, appliedBelow - 1));
        }
        var attached = new AttachedSession(client, session.TimeoutMs, Now);
        _attached[attach.SessionId] = attached;
        _watches.RemoveSession(attach.SessionId);
        for (var i = 0; i < attach.Watches.Count; i++)
        {
            var watch = attach.Watches[i];
            if (MissedChange(watch, outcome.Nodes[i], attach.LastSeenSlot) is { } missed)
            {
                client.Tell(new WatchNotification(attach.SessionId, missed, watch.Path, appliedBelow - 1));
                if (watch.Kind is WatchKind.Data or WatchKind.Children)
                {
                    continue;
                }
            }
            _watches.Add(attach.SessionId, watch);
        }
        attached.AwaitingReport.Add(new AttachResponse(attach.RequestId, appliedBelow - 1, session.TimeoutMs));
        ReportLiveness();
    }

    /// <summary>
    /// ZooKeeper's setWatches rule for a watch re-registered after failover: fire at once if its node changed after
    /// the last slot the client saw. A missing node keeps its watch: it may be an exists-watch waiting for a create.
    /// </summary>
    private static WatchEventType? MissedChange(WatchRegistration watch, NodeRead node, long lastSeenSlot)
    {
        if (node.Code != ErrorCode.Ok)
        {
            return null;
        }
        if (node.Stat.CreatedSlot > lastSeenSlot)
        {
            return WatchEventType.NodeCreated;
        }
        return watch.Kind == WatchKind.Children
            ? node.Stat.ChildrenModifiedSlot > lastSeenSlot ? WatchEventType.NodeChildrenChanged : null
            : node.Stat.ModifiedSlot > lastSeenSlot ? WatchEventType.NodeDataChanged : null;
    }

    private void OnHeartbeat(Heartbeat heartbeat)
    {
        if (!_attached.TryGetValue(heartbeat.SessionId, out var session))
        {
            Sender.Tell(new RequestRejected(0, RejectReason.UnknownSession, $"session {heartbeat.SessionId} is not attached here"));
            return;
        }
        session.LastHeardAt = Now;
        session.AwaitingReport.Add(new HeartbeatAck(heartbeat.SessionId, _appliedBelow - 1));
    }

    /// <summary>
    /// Tells the leader which sessions were heard from. Their heartbeat (and attach) acknowledgements wait for the
    /// leader's answer: a gateway that cannot reach a leader acknowledges nothing, and its clients fail over in time.
    /// </summary>
    private void ReportLiveness()
    {
        var acks = new List<(long SessionId, ClientMessage Ack)>();
        foreach (var (id, session) in _attached)
        {
            acks.AddRange(session.AwaitingReport.Select(ack => (id, ack)));
            session.AwaitingReport.Clear();
        }
        if (acks.Count == 0)
        {
            return;
        }
        var reportId = ++_nextReportId;
        _reportsInFlight[reportId] = acks;
        _replica.Tell(new SessionsAlive(reportId, [.. acks.Select(ack => ack.SessionId).Distinct()]), Self);
    }

    /// <summary>
    /// Reports that went to a leader that died were lost with it, and the attach and heartbeat acknowledgements they
    /// hold with them: the client would wait out its request timeout. The new leader hears them again.
    /// </summary>
    private void ReportUnconfirmedAgain()
    {
        foreach (var (reportId, acks) in _reportsInFlight)
        {
            _replica.Tell(new SessionsAlive(reportId, [.. acks.Select(ack => ack.SessionId).Distinct()]), Self);
        }
    }

    private void OnLivenessConfirmed(SessionsAliveAck ack)
    {
        if (!_reportsInFlight.Remove(ack.ReportId, out var acks))
        {
            return;
        }
        foreach (var (sessionId, message) in acks)
        {
            Tell(sessionId, message);
        }
    }

    /// <summary>
    /// Gives up on writes no leader would take (the client hears NoQuorum: the outcome is unknown, as with a lost
    /// connection) and forgets attachments that went silent, so a client that moved on gets no duplicate events.
    /// </summary>
    private void Sweep()
    {
        var now = Now;
        foreach (var stale in _reportsInFlight.Keys.Where(id => id < _nextReportId - 20).ToList())
        {
            _reportsInFlight.Remove(stale);
        }
        foreach (var (key, pending) in _writes.Where(entry => now - entry.Value.FirstSentAt > _settings.WriteGiveUpAfter.TotalMilliseconds).ToList())
        {
            Finish(key);
            Timers.Cancel(key);
            pending.Client.Tell(new RequestRejected(pending.RequestId, RejectReason.NoQuorum,
                $"no leader committed the write within {_settings.WriteGiveUpAfter.TotalSeconds:0} s; it may still be applied"));
        }
        foreach (var (id, session) in _attached.Where(entry => now - entry.Value.LastHeardAt > entry.Value.TimeoutMs).ToList())
        {
            _attached.Remove(id);
            _watches.RemoveSession(id);
        }
    }

    private void ProposeUnansweredAgain()
    {
        foreach (var (key, pending) in _writes)
        {
            Timers.Cancel(key);
            Submit(pending);
        }
    }

    private void Finish((long Session, long Sequence) key)
    {
        if (_writes.Remove(key, out var finished) && finished.ReadId is { } readId)
        {
            _syncs.Remove(readId);
        }
        if (_inFlight.TryGetValue(key.Session, out var count))
        {
            if (count <= 1)
            {
                _inFlight.Remove(key.Session);
            }
            else
            {
                _inFlight[key.Session] = count - 1;
            }
        }
    }

    private ServerStatus Describe(StatusQuery query, ReplicaStatus? status)
    {
        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        var members = state.Members
            .Select(member => $"{member.Address.Host}:{member.Address.Port} {(state.Unreachable.Contains(member) ? "unreachable" : member.Status.ToString().ToLowerInvariant())}")
            .ToList();
        return status is null
            ? new ServerStatus(query.RequestId, 0, "unresponsive", "", 0, 0, 0, _attached.Count, _watches.Count, members)
            : new ServerStatus(query.RequestId, status.ReplicaId, status.Role.ToString().ToLowerInvariant(), status.Promised.ToString(),
                status.LeaderHint, status.AppliedBelow, status.KnownChosenBelow, _attached.Count, _watches.Count, members);
    }

    private static ReadOutcome Read(IReplicatedStateMachine machine, ReadKind kind, string path)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        if (kind == ReadKind.GetChildren)
        {
            var children = tree.GetChildren(path);
            return new ReadOutcome(children.Code, children.Stat, [], [.. children.Children]);
        }
        var node = kind == ReadKind.Exists ? tree.Exists(path) : tree.GetData(path);
        return new ReadOutcome(node.Code, node.Stat, node.Data.ToArray(), []);
    }

    private static AttachOutcome Inspect(IReplicatedStateMachine machine, AttachRequest attach)
    {
        var tree = ((TreeStateMachine)machine).Tree;
        var held = attach.AwaitedLocks
            .Select(path => (Path: path, Holder: tree.GetLock(path)?.Holders.FirstOrDefault(holder => holder.SessionId == attach.SessionId)))
            .Where(lockHeld => lockHeld.Holder is not null)
            .Select(lockHeld => (lockHeld.Path, lockHeld.Holder!.Token))
            .ToList();
        return new AttachOutcome(tree.GetSession(attach.SessionId), [.. attach.Watches.Select(watch => tree.Exists(watch.Path))], held);
    }

    private sealed record StatusAnswer(StatusQuery Query, IActorRef Asker, ReplicaStatus? Status);

    private sealed record ReadOutcome(ErrorCode Code, Stat Stat, byte[] Data, IReadOnlyList<string> Children);

    /// <param name="HeldAwaitedLocks">The awaited locks the session holds, with their fencing tokens.</param>
    private sealed record AttachOutcome(SessionInfo? Session, IReadOnlyList<NodeRead> Nodes, IReadOnlyList<(string Path, long Token)> HeldAwaitedLocks);
}
