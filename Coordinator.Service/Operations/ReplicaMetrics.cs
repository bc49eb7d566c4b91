using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Operations;

/// <summary>
/// The meter <c>Coordinator.Replica</c> of one replica: consensus progress, the journal, and the data tree's sessions
/// and locks. The replica actor calls the recording methods on its own thread (a counter add or histogram record each,
/// with no tags, so no allocation per write) and publishes its state on every tick; gauges and health probes read that
/// published state from the exporter's threads, never the actor's own fields.
/// </summary>
internal sealed class ReplicaMetrics : IDisposable
{
    public const string MeterName = "Coordinator.Replica";

    /// <summary>Sessions and locks are counted over the whole tree, so not on every tick.</summary>
    private const long TreeSampleIntervalMs = 1_000;

    private static readonly KeyValuePair<string, object?>[] RoleTags =
        [.. Enum.GetValues<ProposerRole>().Select(role => new KeyValuePair<string, object?>("role", role.ToString().ToLowerInvariant()))];

    private readonly Counter<long> _leaderChanges;
    private readonly Counter<long> _proposals;
    private readonly Counter<long> _chosenSlots;
    private readonly Counter<long> _oversizeRefused;
    private readonly Histogram<int> _batchCommands;
    private readonly Histogram<double> _commitSeconds;
    private readonly Histogram<double> _journalWriteSeconds;
    private readonly Histogram<double> _queuedSeconds;
    private readonly Histogram<double> _quorumSeconds;
    private readonly Histogram<double> _applySeconds;

    /// <summary>As leader: when the first Accept of each slot in flight left (Stopwatch ticks), until the slot is applied.</summary>
    private readonly Dictionary<long, long> _acceptSentAt = [];

    /// <summary>When each command this leader queued was submitted (Stopwatch ticks), until it is applied or abandoned.</summary>
    private readonly Dictionary<(long Session, long Sequence), long> _submittedAt = [];

    private volatile ReplicaState _state = ReplicaState.Recovering;
    private long _lastTreeSampleAt = long.MinValue / 2;
    private int _sessions;
    private int _locksHeld;
    private int _locksWaiting;

    public ReplicaMetrics(int replicaId)
    {
        ReplicaId = replicaId;
        Meter = new Meter(MeterName, typeof(ReplicaMetrics).Assembly.GetName().Version?.ToString());
        _leaderChanges = Meter.CreateCounter<long>("coordinator.replica.leader.changes", "{change}",
            "Times this replica learned of a new leader (itself included).");
        _proposals = Meter.CreateCounter<long>("coordinator.replica.proposals", "{command}",
            "Client commands this replica queued for a slot as leader.");
        _chosenSlots = Meter.CreateCounter<long>("coordinator.replica.chosen.slots", "{slot}",
            "Chosen slots this replica applied to its state machine.");
        _oversizeRefused = Meter.CreateCounter<long>("coordinator.replica.oversize.messages", "{message}",
            "Messages to peers refused because they were over the transport's frame limit (the transport would drop them silently).");
        _batchCommands = Meter.CreateHistogram("coordinator.replica.batch.size", "{command}",
            "Commands per applied slot (0 is a no-op).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        _commitSeconds = Meter.CreateHistogram("coordinator.replica.commit.duration", "s",
            "As leader: from a client command's submission to its application here.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _journalWriteSeconds = Meter.CreateHistogram("coordinator.replica.journal.write.duration", "s",
            "One batch of journal events, from the write's start until the journal confirmed it durable.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        // The write path's stages at the leader, for the latency budget (BENCHMARKS.md): a command waits for a slot,
        // its Accept goes out while the leader's own journal write runs, a majority answers, the slot is applied.
        _queuedSeconds = Meter.CreateHistogram("coordinator.replica.write.queued.duration", "s",
            "As leader: from a client command's submission to the first Accept that carries it (waiting for the pipeline window).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        _quorumSeconds = Meter.CreateHistogram("coordinator.replica.write.quorum.duration", "s",
            "As leader: from a slot's first Accept to the slot's delivery here, chosen by a majority (journal writes and a round trip).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        _applySeconds = Meter.CreateHistogram("coordinator.replica.write.apply.duration", "s",
            "Applying one slot's commands to the state machine.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StageBuckets });
        Meter.CreateObservableGauge("coordinator.replica.role", ObserveRole, "{role}",
            "1 for this replica's current Paxos role, 0 for the others.");
        Meter.CreateObservableGauge("coordinator.replica.ballot", () => _state.BallotRound, "{round}",
            "Round of the ballot this replica last ran for or leads with.");
        Meter.CreateObservableGauge("coordinator.replica.promised", () => _state.PromisedRound, "{round}",
            "Round of the highest ballot this replica's acceptor promised.");
        Meter.CreateObservableGauge("coordinator.replica.leader", () => _state.LeaderId, "{replica}",
            "Id of the replica this one takes for leader; 0 when it knows none.");
        Meter.CreateObservableGauge("coordinator.replica.applied.slot", () => _state.AppliedBelow, "{slot}",
            "This replica applied every slot below this one.");
        Meter.CreateObservableGauge("coordinator.replica.lag", () => _state.Lag, "{slot}",
            "Slots known to be chosen that this replica has not applied yet.");
        Meter.CreateObservableGauge("coordinator.replica.pending.commands", () => _state.PendingCommands, "{command}",
            "As leader: commands waiting for a slot.");
        Meter.CreateObservableGauge("coordinator.replica.sessions", () => Volatile.Read(ref _sessions), "{session}",
            "Live sessions in the replicated tree.");
        Meter.CreateObservableGauge("coordinator.replica.locks.held", () => Volatile.Read(ref _locksHeld), "{grant}",
            "Lock grants held (a shared lock counts each holder).");
        Meter.CreateObservableGauge("coordinator.replica.locks.waiting", () => Volatile.Read(ref _locksWaiting), "{waiter}",
            "Sessions queued for a lock.");
    }

    /// <summary>0.25 ms to 10 s, doubling.</summary>
    private static readonly double[] LatencyBuckets =
        [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];

    /// <summary>25 µs to about 1.6 s in steps of √2: fine enough for medians of stages that take tens of microseconds.</summary>
    private static readonly double[] StageBuckets = [.. Enumerable.Range(0, 33).Select(step => 0.000025 * Math.Pow(2, step / 2.0))];

    public int ReplicaId { get; }

    public Meter Meter { get; }

    public ReplicaState State => _state;

    public void LeaderChanged() => _leaderChanges.Add(1);

    /// <summary>A command is about to be submitted to the core, whose first Accept may carry it in the same step.</summary>
    public void Submitting(Command command) => _submittedAt[(command.SessionId, command.Sequence)] = Stopwatch.GetTimestamp();

    /// <summary>The core queued the command submitted; otherwise it refused it.</summary>
    public void Submitted(Command command, bool queued)
    {
        if (queued)
        {
            _proposals.Add(1);
        }
        else
        {
            _submittedAt.Remove((command.SessionId, command.Sequence));
        }
    }

    public void Applied(Command command)
    {
        if (_submittedAt.Remove((command.SessionId, command.Sequence), out var submitted))
        {
            _commitSeconds.Record(Stopwatch.GetElapsedTime(submitted).TotalSeconds);
        }
    }

    /// <summary>This replica stopped leading: what it queued is answered NotLeader, and retried elsewhere.</summary>
    public void Abandoned()
    {
        _submittedAt.Clear();
        _acceptSentAt.Clear();
    }

    /// <summary>What the core sends: the first Accept of a slot starts its quorum stage and ends its commands' wait.</summary>
    public void Sending(List<Envelope> envelopes)
    {
        if (!_quorumSeconds.Enabled)
        {
            return;
        }
        long? now = null;
        foreach (var envelope in envelopes)
        {
            if (envelope.Message is not Accept accept || _acceptSentAt.ContainsKey(accept.Slot))
            {
                continue;
            }
            now ??= Stopwatch.GetTimestamp();
            _acceptSentAt[accept.Slot] = now.Value;
            foreach (var command in accept.Value.Commands)
            {
                if (_submittedAt.TryGetValue((command.SessionId, command.Sequence), out var submitted))
                {
                    _queuedSeconds.Record(Stopwatch.GetElapsedTime(submitted, now.Value).TotalSeconds);
                }
            }
        }
    }

    /// <param name="applyStartedAt">When this replica began applying the slot (Stopwatch ticks).</param>
    public void SlotApplied(long slot, int commands, long applyStartedAt)
    {
        _chosenSlots.Add(1);
        _batchCommands.Record(commands);
        if (!_applySeconds.Enabled)
        {
            return;
        }
        _applySeconds.Record(Stopwatch.GetElapsedTime(applyStartedAt).TotalSeconds);
        if (_acceptSentAt.Remove(slot, out var sent))
        {
            _quorumSeconds.Record(Stopwatch.GetElapsedTime(sent, applyStartedAt).TotalSeconds);
        }
    }

    public void JournalWritten(long startedAt) => _journalWriteSeconds.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds);

    public void OversizeRefused() => _oversizeRefused.Add(1);

    /// <summary>Publishes the replica's state; the actor calls it on every tick, once it has recovered.</summary>
    public void Observe(ReplicaCore core, long stateMachineBelow, IReplicatedStateMachine stateMachine)
    {
        var now = Environment.TickCount64;
        _state = new ReplicaState(
            true, now, core.Role, core.Ballot.Round, core.Promised.Round, core.LeaderHint, stateMachineBelow,
            Math.Max(core.KnownChosenBelow, stateMachineBelow), core.PendingCommands);
        if (now - _lastTreeSampleAt < TreeSampleIntervalMs || stateMachine is not TreeStateMachine tree)
        {
            return;
        }
        _lastTreeSampleAt = now;
        var (held, waiting) = tree.Tree.LockCounts();
        Volatile.Write(ref _sessions, tree.Tree.SessionCount);
        Volatile.Write(ref _locksHeld, held);
        Volatile.Write(ref _locksWaiting, waiting);
    }

    public void Dispose() => Meter.Dispose();

    private IEnumerable<Measurement<int>> ObserveRole()
    {
        var role = _state.Role;
        foreach (var value in Enum.GetValues<ProposerRole>())
        {
            yield return new Measurement<int>(value == role ? 1 : 0, RoleTags[(int)value]);
        }
    }
}
