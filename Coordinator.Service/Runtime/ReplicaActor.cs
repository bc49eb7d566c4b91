using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Core.Sessions;
using Coordinator.Service.FaultInjection;
using Coordinator.Service.Operations;

namespace Coordinator.Service.Runtime;

/// <summary>
/// The actor shell of one replica: a persistent actor (Akka.Persistence: the sqlite-native journal and snapshot files,
/// or Akka.Persistence.Sql on PostgreSQL) around the pure <see cref="ReplicaCore"/>.
/// It owns the clock, the timers, the network and the journal; the core owns every decision. Each input's outbox is
/// drained as the core lists it: what may leave before the journal write is sent at once, the rest after the write
/// (PersistAllAsync, so concurrent writes batch in the journal). Replies of an input that persisted nothing still
/// wait (DeferAsync) behind earlier writes, so no reply ever overtakes the journal write it depends on.
/// </summary>
/// <remarks>
/// The three Paxos roles are separate pure objects but share one actor: the learner takes values from its own
/// acceptor's votes and the proposer reads its acceptor's promise, and one journal keeps a replica's durable state in
/// one ordered stream. Separate actors would put extra local hops on the commit path and buy no isolation.
/// </remarks>
internal sealed class ReplicaActor : UntypedPersistentActor, IWithTimers
{
    private readonly ReplicaSettings _settings;
    private readonly IReplicatedStateMachine _stateMachine;
    private readonly TaskCompletionSource _recovered;
    private Action? _beforeFirstWrite;
    private readonly MonotonicClock _clock = new(ClockOffset.Of(Context.System.Settings.Config));
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, ActorSelection> _peers = [];
    private readonly Dictionary<(long Session, long Sequence), IActorRef> _waiters = [];
    /// <summary>Read index requests this leader is confirming, by the core's request id: who asked, under which id.</summary>
    private readonly Dictionary<long, (IActorRef Asker, long RequestId)> _readWaiters = [];
    private long _nextReadId;
    private readonly List<AcceptorEvent> _recoveredJournal = [];

    private SnapshotDelivered? _recoveredSnapshot;
    private ReplicaCore? _core;
    private int _outputsWaitingForWrites;
    private SnapshotDelivered? _snapshotInFlight;
    private long _snapshotInFlightChecksum;
    private bool _snapshotAssembling;

    /// <summary>
    /// The snapshot being written, a slice per message, and the deliveries held back meanwhile: the state machine must
    /// not change under it, while the Paxos traffic between the slices goes on (a whole big tree at once held the
    /// replica up longer than an election timeout, and its leadership passed on).
    /// </summary>
    private (ISnapshotCapture Capture, long Below, long Timestamp, int Installed, int Slices)? _capture;
    private readonly List<Delivery> _heldDeliveries = [];

    /// <summary>Nodes per capture slice: some 10-20 ms of writing, well inside a heartbeat interval.</summary>
    private const int CaptureSliceNodes = 16_384;

    private readonly SnapshotSchedule _snapshotSchedule;
    private long _snapshotStartedAt;
    private TimeSpan _snapshotCapturedIn;
    private int _snapshotCaptureSlices;
    private TimeSpan _snapshotAssembledIn;

    /// <summary>Payload bytes applied, and as of the last snapshot: the journal holds about the difference.</summary>
    private long _appliedBytes;
    private long _appliedBytesAtSnapshot;

    private readonly long _maxFrameBytes;
    private readonly HashSet<(string? Host, int? Port)> _replicaAddresses;
    private long _oversizeMessagesRefused;
    private long _snapshotBelow;

    /// <summary>
    /// Slots the state machine has applied. It trails the core's AppliedBelow while deliveries wait behind journal
    /// writes, and a snapshot must be labelled with what its state really contains.
    /// </summary>
    private long _stateMachineBelow;
    private long _lastAppliedTimestamp;
    private int _snapshotsInstalled;
    private ProposerRole _lastRole = ProposerRole.Follower;
    private int _lastLeaderHint;
    private long _lastLoggedSlot = -1;
    private long _lastProgressLogAt;
    private readonly List<(StateQuery Query, IActorRef ReplyTo)> _waitingQueries = [];
    private readonly SessionTracker _sessionTracker;
    private long _lastSessionCheckAt;
    private long _lastTimeTickAt;
    private readonly ReplicaMetrics _metrics;
    private readonly long _createdAt = Stopwatch.GetTimestamp();
    private long _lastTickAt;

    /// <param name="beforeFirstWrite">Runs once, before this replica's first journal write: the host records the replica's
    /// identity there, so no vote is ever durable without the mark that it was given.</param>
    /// <param name="metrics">Where this replica records its measurements (its host owns the meter).</param>
    public ReplicaActor(
        ReplicaSettings settings, IReplicatedStateMachine stateMachine, TaskCompletionSource recovered, ReplicaMetrics metrics,
        Action? beforeFirstWrite = null)
    {
        _metrics = metrics;
        _beforeFirstWrite = beforeFirstWrite;
        _settings = settings;
        _snapshotSchedule = new SnapshotSchedule(
            settings.SnapshotInterval, settings.SnapshotBytes, settings.Paxos.ReplicaIds.Order().ToList().IndexOf(settings.ReplicaId), settings.Paxos.ReplicaIds.Length);
        _maxFrameBytes = Context.System.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 128_000;
        _replicaAddresses = [.. settings.Replicas.Values.Select(endpoint =>
        {
            var colon = endpoint.LastIndexOf(':');
            return ((string?)endpoint[..colon], (int?)int.Parse(endpoint[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        })];
        _stateMachine = stateMachine;
        _recovered = recovered;
        _sessionTracker = new SessionTracker((long)settings.SessionCheckInterval.TotalMilliseconds, settings.MaxExpiriesInFlight);
        if (stateMachine is ISessionTable sessions)
        {
            // Only a leader tracks: it learns each session as it opens or ends, and reads the whole table only when it
            // starts to lead or its state is replaced.
            sessions.SessionOpened = (id, timeoutMs) =>
            {
                if (IsLeader)
                {
                    _sessionTracker.Opened(_clock.NowMs, id, timeoutMs);
                }
            };
            sessions.SessionEnded = id =>
            {
                if (IsLeader)
                {
                    _sessionTracker.Ended(id);
                }
            };
        }
        // Peers speak this replica's own protocol (every replica of a cluster runs the same transport).
        var protocol = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.Protocol;
        foreach (var (id, endpoint) in settings.Replicas)
        {
            if (id != settings.ReplicaId)
            {
                _peers[id] = Context.ActorSelection(ReplicaSettings.ReplicaPathOf(endpoint, protocol));
            }
        }
    }

    public override string PersistenceId => PersistenceIdOf(_settings.ReplicaId);

    public static string PersistenceIdOf(int replicaId) => $"replica-{replicaId}";

    public ITimerScheduler Timers { get; set; } = null!;

    private ReplicaCore Core => _core ?? throw new InvalidOperationException("The replica has not recovered yet.");

    private bool IsLeader => _core is { Role: ProposerRole.Leader };

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ReplicaSnapshot snapshot }:
                _recoveredJournal.Clear();
                _recoveredJournal.AddRange(snapshot.Acceptor);
                _recoveredSnapshot = snapshot.State;
                break;
            case AcceptorEvent recorded:
                _recoveredJournal.Add(recorded);
                break;
            case RecoveryCompleted:
                Initialize();
                break;
        }
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _recovered.TrySetException(new InvalidOperationException(
            $"replica {_settings.ReplicaId} could not read its journal: {reason.GetBaseException().Message}", reason));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnCommand(object message)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var collections = GC.CollectionCount(2);
        Handle(message);
        if (Stopwatch.GetElapsedTime(startedAt) is { TotalMilliseconds: > SlowMessageMs } took)
        {
            // Elections run on a 300 ms clock: anything holding this thread for a good part of that shows here.
            _log.Warning("Replica {0} spent {1:F0} ms on one {2} ({3} full GCs meanwhile)",
                _settings.ReplicaId, took.TotalMilliseconds, message.GetType().Name, GC.CollectionCount(2) - collections);
        }
    }

    private const double SlowMessageMs = 100;

    private void Handle(object message)
    {
        switch (message)
        {
            case PaxosMessage paxos when !IsFromReplica(Sender, paxos.From):
                _log.Warning("Ignored {0} from replica {1}: sent from {2}, not that replica's address", paxos.GetType().Name, paxos.From, Sender.Path.Address);
                break;
            case PaxosMessage paxos:
                Run(outbox =>
                {
                    if (!Core.Handle(paxos, _clock.NowMs, outbox))
                    {
                        _log.Warning("Ignored {0} from replica {1}: not in the configured replica set, or its ballot is out of range", paxos.GetType().Name, paxos.From);
                    }
                });
                break;
            case ReplicaTick:
                ObserveTickGap();
                Run(outbox => Core.Tick(_clock.NowMs, outbox));
                RunLeaderDuties();
                LogProgress();
                _metrics.Observe(Core, _stateMachineBelow, _stateMachine);
                break;
            case ProposeRequest or ReadIndexRequest when !IsGatewayOrPeer(Sender):
                // Clients speak to gateways, which check whose session a command is for; a proposal straight from
                // anyone else could act for any session, or as the system itself.
                _log.Warning("Replica {0} ignored a {1} from {2}, which is neither its gateway nor a replica", _settings.ReplicaId, message.GetType().Name, Sender.Path.Address);
                break;
            case ProposeRequest request:
                Propose(request);
                break;
            case ReadIndexRequest request:
                AskReadIndex(request);
                break;
            case StatusRequest:
                Sender.Tell(Status());
                break;
            case StateQuery query:
                _waitingQueries.Add((query, Sender));
                AnswerReadyQueries();
                break;
            case SessionsAlive alive:
                OnSessionsAlive(alive);
                break;
            case CaptureSlice:
                ContinueCapture();
                break;
            case SnapshotAssembled assembled:
                OnSnapshotAssembled(assembled);
                break;
            case Status.Failure { Cause: var cause } when _snapshotAssembling:
                _log.Warning("Assembling a snapshot failed: {0}", cause.Message);
                _snapshotAssembling = false;
                break;
            case SaveSnapshotSuccess saved:
                OnSnapshotSaved(saved.Metadata);
                break;
            case SaveSnapshotFailure failed:
                _log.Warning("Snapshot at slot {0} failed: {1}", _snapshotInFlight?.AppliedBelow, failed.Cause.Message);
                _snapshotInFlight = null;
                break;
            case DeleteMessagesFailure failed:
                _log.Warning("Deleting journal events up to {0} failed: {1}", failed.ToSequenceNr, failed.Cause.Message);
                break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                break;
            case DeleteSnapshotsFailure failed:
                _log.Warning("Deleting old snapshots failed: {0}", failed.Cause.Message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Initialize()
    {
        var readIn = Stopwatch.GetElapsedTime(_createdAt);
        var restoreStartedAt = Stopwatch.GetTimestamp();
        // The sum the learner serves its snapshot with, taken on another core while this one restores the tree.
        var checksum = _recoveredSnapshot is { } recovered ? Task.Run(() => SnapshotChecksum.Of(recovered.State)) : null;
        if (_recoveredSnapshot is { } snapshot)
        {
            _stateMachine.Restore(snapshot.State);
            _snapshotBelow = snapshot.AppliedBelow;
            _stateMachineBelow = snapshot.AppliedBelow;
            _lastAppliedTimestamp = snapshot.LastTimestamp;
        }
        var id = _settings.ReplicaId;
        var acceptor = Acceptor.Recover(id, _settings.Paxos, _recoveredJournal);
        _core = new ReplicaCore(id, _settings.Paxos, acceptor, new Learner(id, _settings.Paxos, _recoveredSnapshot, checksum?.GetAwaiter().GetResult()), new SystemJitter());
        _recoveredJournal.Clear();
        _core.Start(_clock.NowMs);
        Timers.StartPeriodicTimer("tick", ReplicaTick.Instance, _settings.TickInterval);
        _log.Info("Replica {0} recovered: promised {1}, applied below slot {2} (journal and a {3:F1} MB snapshot read in {4:F0} ms, restored in {5:F0} ms)",
            id, acceptor.Promised, _core.AppliedBelow, (_recoveredSnapshot?.State.Length ?? 0) / 1e6, readIn.TotalMilliseconds,
            Stopwatch.GetElapsedTime(restoreStartedAt).TotalMilliseconds);
        _recovered.TrySetResult();
    }

    /// <summary>
    /// A Paxos message is believed only from this replica itself or from the address configured for the replica its From
    /// names; a remote message without a sender arrives from dead letters, a local address, and is refused.
    /// </summary>
    private bool IsFromReplica(IActorRef sender, int from) => sender.Equals(Self)
        ? from == _settings.ReplicaId
        : !sender.Path.Address.HasLocalScope
            && _settings.Replicas.TryGetValue(from, out var endpoint) && endpoint == $"{sender.Path.Address.Host}:{sender.Path.Address.Port}";

    /// <summary>This replica's own gateway (same actor system) or a peer replica's, which forwards its proposals here.</summary>
    private bool IsGatewayOrPeer(IActorRef sender) =>
        sender.Path.Address.HasLocalScope || _replicaAddresses.Contains((sender.Path.Address.Host, sender.Path.Address.Port));

    private void Propose(ProposeRequest request)
    {
        var command = request.Command;
        var outcome = default(SubmitResult);
        _metrics.Submitting(command);
        Run(outbox => outcome = Core.Submit(command, _clock.NowMs, outbox));
        _metrics.Submitted(command, outcome.Status == SubmitStatus.Queued);
        switch (outcome.Status)
        {
            case SubmitStatus.Queued:
                _waiters[(command.SessionId, command.Sequence)] = Sender;
                break;
            case SubmitStatus.NotLeader when !request.Forwarded && _peers.TryGetValue(outcome.LeaderHint, out var leader):
                leader.Tell(request with { Forwarded = true }, Sender);
                break;
            case SubmitStatus.NotLeader:
                Sender.Tell(Refusal(command, ProposeStatus.NotLeader, outcome.LeaderHint));
                break;
            case SubmitStatus.Overloaded:
                Sender.Tell(Refusal(command, ProposeStatus.Overloaded, _settings.ReplicaId));
                break;
        }
    }

    private void AskReadIndex(ReadIndexRequest request)
    {
        var readId = ++_nextReadId;
        _readWaiters[readId] = (Sender, request.RequestId);
        var asked = false;
        Run(outbox => asked = Core.ReadIndex(readId, _clock.NowMs, outbox));
        if (asked)
        {
            return;
        }
        _readWaiters.Remove(readId);
        if (!request.Forwarded && _peers.TryGetValue(Core.LeaderHint, out var leader))
        {
            leader.Tell(request with { Forwarded = true }, Sender);
        }
        else
        {
            Sender.Tell(new ReadIndexResponse(request.RequestId, null, Core.LeaderHint));
        }
    }

    /// <summary>Read indexes promise nothing about this replica's journal: they are answered at once.</summary>
    private void AnswerReadIndexes(Outbox outbox)
    {
        foreach (var answer in outbox.ReadIndexes)
        {
            if (_readWaiters.Remove(answer.RequestId, out var waiter))
            {
                waiter.Asker.Tell(new ReadIndexResponse(waiter.RequestId, answer.Index, answer.LeaderHint));
            }
        }
        outbox.ReadIndexes.Clear();
    }

    private void AnswerReadyQueries()
    {
        for (var i = 0; i < _waitingQueries.Count; i++)
        {
            var (query, replyTo) = _waitingQueries[i];
            if (query.MinAppliedBelow <= _stateMachineBelow)
            {
                replyTo.Tell(new StateQueryResult(query.Tag, _stateMachineBelow, query.Query(_stateMachine)));
                _waitingQueries.RemoveAt(i--);
            }
        }
    }

    /// <summary>Gateways report live sessions to their own replica, which passes the report on to the leader.</summary>
    private void OnSessionsAlive(SessionsAlive alive)
    {
        if (Core.Role == ProposerRole.Leader)
        {
            _sessionTracker.Touch(_clock.NowMs, alive.SessionIds);
            Sender.Tell(new SessionsAliveAck(alive.ReportId));
        }
        else if (Sender.Path.Address.HasLocalScope && _peers.TryGetValue(Core.LeaderHint, out var leader))
        {
            leader.Tell(alive, Sender);
        }
    }

    /// <summary>As leader: expire sessions past their deadline, and let time pass in the state machine.</summary>
    private void RunLeaderDuties()
    {
        if (Core.Role != ProposerRole.Leader || _stateMachine is not ISessionTable sessions)
        {
            return;
        }
        var now = _clock.NowMs;
        // A storm held back by the bound on expiries in flight goes on as soon as half of them applied.
        if (now - _lastSessionCheckAt >= _settings.SessionCheckInterval.TotalMilliseconds || _sessionTracker.ReadyForMore)
        {
            _lastSessionCheckAt = now;
            var due = _sessionTracker.DueForExpiry(now);
            if (due.Count > 0)
            {
                _log.Info("{0} sessions missed their deadline (session {1} first); proposing their expiry, {2} expiries in flight",
                    due.Count, due[0], _sessionTracker.ExpiriesInFlight);
            }
            foreach (var expired in due)
            {
                ProposeSystemCommand(sessions.ExpireCommand(expired));
            }
        }
        if (now - _lastTimeTickAt >= _settings.TimeTickInterval.TotalMilliseconds)
        {
            _lastTimeTickAt = now;
            ProposeSystemCommand(sessions.TickCommand());
        }
    }

    private void ResetSessionTracker()
    {
        if (_stateMachine is ISessionTable sessions)
        {
            _sessionTracker.Reset(_clock.NowMs, sessions.Sessions());
        }
    }

    /// <summary>Commands of the system session (0) are not deduplicated and nobody waits for their result.</summary>
    private void ProposeSystemCommand(byte[] payload) =>
        Run(outbox => Core.Submit(new Command(0, 0, payload), _clock.NowMs, outbox));

    private void Run(Action<Outbox> input)
    {
        var outbox = new Outbox();
        input(outbox);
        AnswerReadIndexes(outbox);
        _metrics.Sending(outbox.Send);
        // The core lists apart what promises nothing about this replica's journal: it leaves now, so the leader's
        // fsync and its followers' overlap instead of running one after the other.
        SendAll(outbox.Send);
        // Chosen values are durable at a majority whatever this replica's journal holds: applying them never waits
        // for its pending writes, and applying every delivery here keeps slots in order.
        ApplyDeliveries(outbox);
        if (outbox.Persist.Count > 0)
        {
            _beforeFirstWrite?.Invoke();
            _beforeFirstWrite = null;
            _outputsWaitingForWrites++;
            var remaining = outbox.Persist.Count;
            var writeStartedAt = Stopwatch.GetTimestamp();
            PersistAllAsync(outbox.Persist, _ =>
            {
                if (--remaining == 0)
                {
                    _metrics.JournalWritten(writeStartedAt);
                    _outputsWaitingForWrites--;
                    SendAll(outbox.SendAfterPersist);
                }
            });
        }
        else if (_outputsWaitingForWrites > 0)
        {
            _outputsWaitingForWrites++;
            DeferAsync(outbox, _ =>
            {
                _outputsWaitingForWrites--;
                SendAll(outbox.SendAfterPersist);
            });
        }
        else
        {
            SendAll(outbox.SendAfterPersist);
        }
        ObserveRole();
    }

    private void Send(Coordinator.Core.Consensus.Envelope envelope)
    {
        if (envelope.To == _settings.ReplicaId)
        {
            Self.Tell(envelope.Message, Self);
        }
        else if (_peers.TryGetValue(envelope.To, out var peer))
        {
            if (MessageSize.Estimate(envelope.Message) is var size && size > _maxFrameBytes)
            {
                // The transport would drop it silently; refusing here at least says so, and counts it.
                _oversizeMessagesRefused++;
                _metrics.OversizeRefused();
                _log.Error(
                    "Replica {0} refused to send a {1} of about {2} bytes to replica {3}: over the transport's frame limit of {4} bytes",
                    _settings.ReplicaId, envelope.Message.GetType().Name, size, envelope.To, _maxFrameBytes);
                return;
            }
            peer.Tell(envelope.Message, Self);
        }
    }

    private void SendAll(List<Coordinator.Core.Consensus.Envelope> envelopes)
    {
        foreach (var envelope in envelopes)
        {
            Send(envelope);
        }
    }

    private void ApplyDeliveries(Outbox outbox)
    {
        if (outbox.Deliver.Count == 0)
        {
            return;
        }
        if (_capture is not null)
        {
            _heldDeliveries.AddRange(outbox.Deliver);
            outbox.Deliver.Clear();
            return;
        }
        foreach (var delivery in outbox.Deliver)
        {
            Apply(delivery);
        }
        outbox.Deliver.Clear();
        AnswerReadyQueries();
        MaybeSnapshot();
    }

    private void Apply(Delivery delivery)
    {
        switch (delivery)
        {
            case SlotDelivered slot:
                var applyStartedAt = Stopwatch.GetTimestamp();
                foreach (var command in slot.Value.Commands)
                {
                    var result = _stateMachine.Apply(slot.Slot, slot.Time, command);
                    if (_waiters.Remove((command.SessionId, command.Sequence), out var waiter))
                    {
                        _metrics.Applied(command);
                        waiter.Tell(new ProposeResponse(command.SessionId, command.Sequence, ProposeStatus.Applied, _settings.ReplicaId, slot.Slot, result));
                    }
                }
                _stateMachineBelow = slot.Slot + 1;
                _lastAppliedTimestamp = slot.Timestamp;
                _appliedBytes += slot.Value.PayloadBytes;
                _metrics.SlotApplied(slot.Slot, slot.Value.Commands.Length, applyStartedAt);
                break;
            case SnapshotDelivered snapshot:
                var installStartedAt = Stopwatch.GetTimestamp();
                _stateMachine.Restore(snapshot.State);
                _log.Info("Installed a peer's snapshot at slot {0}: {1:F1} MB in {2:F0} ms", snapshot.AppliedBelow, snapshot.State.Length / 1e6,
                    Stopwatch.GetElapsedTime(installStartedAt).TotalMilliseconds);
                _stateMachineBelow = snapshot.AppliedBelow;
                _lastAppliedTimestamp = snapshot.LastTimestamp;
                _snapshotsInstalled++;
                _snapshotSchedule.PeerStateInstalled();
                if (IsLeader)
                {
                    ResetSessionTracker();
                }
                break;
        }
    }

    private void MaybeSnapshot()
    {
        if (_snapshotInFlight is not null || _snapshotAssembling
            || !_snapshotSchedule.IsDue(_stateMachineBelow - _snapshotBelow, _appliedBytes - _appliedBytesAtSnapshot))
        {
            return;
        }
        _snapshotSchedule.Taken();
        _appliedBytesAtSnapshot = _appliedBytes;
        _snapshotStartedAt = Stopwatch.GetTimestamp();
        _snapshotAssembling = true;
        _capture = (_stateMachine.BeginSnapshot(), _stateMachineBelow, _lastAppliedTimestamp, _snapshotsInstalled, 0);
        ContinueCapture();
    }

    /// <summary>
    /// Writes the next slice of the snapshot being captured; once it is complete, copies the node data in on the
    /// thread pool (hundreds of MB for a big state) and applies what was held back meanwhile.
    /// </summary>
    private void ContinueCapture()
    {
        if (_capture is not { } capture)
        {
            return;
        }
        if (!capture.Capture.Advance(CaptureSliceNodes))
        {
            _capture = capture with { Slices = capture.Slices + 1 };
            Self.Tell(CaptureSlice.Instance);
            return;
        }
        _capture = null;
        var captured = capture.Capture.Result;
        var capturedIn = Stopwatch.GetElapsedTime(_snapshotStartedAt);
        _snapshotCaptureSlices = capture.Slices + 1;
        Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            var state = captured.Assemble();
            return new SnapshotAssembled(
                new SnapshotDelivered(capture.Below, capture.Timestamp, state), SnapshotChecksum.Of(state), capture.Installed, capturedIn, Stopwatch.GetElapsedTime(started));
        }).PipeTo(Self);
        var held = _heldDeliveries.ToList();
        _heldDeliveries.Clear();
        foreach (var delivery in held)
        {
            Apply(delivery);
        }
        AnswerReadyQueries();
    }

    private void OnSnapshotAssembled(SnapshotAssembled assembled)
    {
        _snapshotAssembling = false;
        if (assembled.InstalledBefore != _snapshotsInstalled)
        {
            // A peer's newer state replaced the one captured; the next snapshot is taken of that.
            MaybeSnapshot();
            return;
        }
        (_snapshotCapturedIn, _snapshotAssembledIn) = (assembled.CapturedIn, assembled.AssembledIn);
        _snapshotInFlight = assembled.Snapshot;
        _snapshotInFlightChecksum = assembled.Checksum;
        // The acceptor's state is read now, not at capture: the save covers every journal event written so far, and
        // the journal below it is deleted once it is stored.
        SaveSnapshot(new ReplicaSnapshot(Core.AcceptorJournal(assembled.Snapshot.AppliedBelow), assembled.Snapshot));
    }

    private void OnSnapshotSaved(SnapshotMetadata metadata)
    {
        if (_snapshotInFlight is not { } snapshot)
        {
            return;
        }
        _snapshotInFlight = null;
        _snapshotBelow = snapshot.AppliedBelow;
        Run(outbox => Core.Compact(snapshot.AppliedBelow, snapshot.LastTimestamp, snapshot.State, _snapshotInFlightChecksum, outbox));
        DeleteMessages(metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(metadata.SequenceNr - 1));
        // Slots applied while this snapshot was being saved may already be a whole interval's worth.
        MaybeSnapshot();
        _log.Info("Snapshot at slot {0} saved: {1:F1} MB captured in {2:F0} ms ({3} slices between other messages), assembled in {4:F0} ms off the replica's thread, {5:F0} ms in all; journal compacted up to event {6}",
            [snapshot.AppliedBelow, snapshot.State.Length / 1e6, _snapshotCapturedIn.TotalMilliseconds, _snapshotCaptureSlices, _snapshotAssembledIn.TotalMilliseconds,
            Stopwatch.GetElapsedTime(_snapshotStartedAt).TotalMilliseconds, metadata.SequenceNr]);
    }

    /// <summary>
    /// Announces a new leader, logs leadership changes and answers the waiters of a leader that lost its leadership.
    /// </summary>
    private void ObserveRole()
    {
        if (Core.LeaderHint != _lastLeaderHint)
        {
            _lastLeaderHint = Core.LeaderHint;
            if (_lastLeaderHint != 0)
            {
                _metrics.LeaderChanged();
                Context.System.EventStream.Publish(new LeaderChanged(_lastLeaderHint));
            }
        }
        var role = Core.Role;
        if (role == _lastRole)
        {
            return;
        }
        if (role == ProposerRole.Leader)
        {
            _log.Info("Replica {0} leads with ballot {1} from slot {2}", _settings.ReplicaId, Core.Ballot, Core.AppliedBelow);
            // A new leader cannot know when sessions were last heard from: each gets a full fresh timeout.
            ResetSessionTracker();
        }
        else if (_lastRole == ProposerRole.Leader)
        {
            _log.Info("Replica {0} stepped down; leader now {1}", _settings.ReplicaId, Core.LeaderHint);
            _sessionTracker.Clear();
            // Queued commands may or may not be chosen later; the client retries, and exactly-once makes that safe.
            foreach (var ((session, sequence), waiter) in _waiters)
            {
                waiter.Tell(new ProposeResponse(session, sequence, ProposeStatus.NotLeader, Core.LeaderHint, 0, []));
            }
            _waiters.Clear();
            _metrics.Abandoned();
        }
        _lastRole = role;
    }

    /// <summary>Ticks come every tick interval; a long gap means this replica's thread or process was held up.</summary>
    private void ObserveTickGap()
    {
        var now = _clock.NowMs;
        if (_lastTickAt != 0 && now - _lastTickAt > 2 * SlowMessageMs)
        {
            _log.Warning("Replica {0} was not ticked for {1} ms (the process or its thread pool was held up)", _settings.ReplicaId, now - _lastTickAt);
        }
        _lastTickAt = now;
    }

    private void LogProgress()
    {
        var now = _clock.NowMs;
        if (now - _lastProgressLogAt < 5_000 || Core.AppliedBelow == _lastLoggedSlot)
        {
            return;
        }
        _lastProgressLogAt = now;
        _lastLoggedSlot = Core.AppliedBelow;
        _log.Info("Replica {0}: {1}, applied below slot {2}, leader {3}", _settings.ReplicaId, Core.Role, Core.AppliedBelow, Core.LeaderHint);
    }

    private ReplicaStatus Status()
    {
        var core = Core;
        return new ReplicaStatus(
            _settings.ReplicaId, core.Role, core.Ballot, core.Promised, core.LeaderHint,
            _stateMachineBelow, core.KnownChosenBelow, core.PendingCommands, _snapshotBelow, _snapshotsInstalled,
            _oversizeMessagesRefused);
    }

    private static ProposeResponse Refusal(Command command, ProposeStatus status, int leaderHint) =>
        new(command.SessionId, command.Sequence, status, leaderHint, 0, []);
}
