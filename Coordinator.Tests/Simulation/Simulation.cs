using System.Collections.Immutable;
using Coordinator.Core.Consensus;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Command = Coordinator.Core.Consensus.Command;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// One seeded run of the consensus core over a simulated network and disk (FoundationDB/VOPR style). A chaos phase
/// drops, delays, reorders and duplicates messages, partitions replicas (isolated, minority/majority, flapping
/// links) and crashes them (volatile state lost, journal and snapshot kept). Journal writes take time: what the
/// outbox lets leave early goes out at once, the rest only once the replica's writes up to it are durable, and a
/// crash loses the writes still pending with the messages waiting on them. Then the network heals and every
/// submitted command must reach every replica within a bounded virtual time. Invariants are checked on every
/// delivery: agreement, validity, at-most-once application, in-order prefix delivery and equal states per slot.
/// Chosen slots go to the state machine of the run's <see cref="SimWorkload"/>, which adds checks of its own.
/// </summary>
internal sealed class Simulation : ISimHost
{
    private const long MaxEvents = 3_000_000;
    private const long ClientPollInterval = 150;

    private readonly long _seed;
    private readonly SimulationOptions _options;
    private readonly PaxosOptions _paxos;
    private readonly SimRandom _random;
    private readonly SimReplica[] _replicas;
    private readonly SimWorkload _workload;
    private readonly IReadOnlyList<SimClient> _clients;
    private readonly bool[,] _cut;
    private readonly PriorityQueue<Action, (long Time, long Order)> _queue = new();
    private readonly SimTrace _trace = new();
    private readonly Outbox _outbox = new();
    private readonly Outbox _compactionOutbox = new();

    private readonly Dictionary<long, Batch> _chosen = [];
    private readonly Dictionary<long, ulong> _hashAfterSlot = [];
    private readonly Dictionary<(long Session, long Sequence), Command> _submitted = [];
    private readonly Dictionary<(long Session, long Sequence), long> _appliedAtSlot = [];
    /// <summary>Read index requests not answered yet, with the highest slot applied anywhere when each was asked.</summary>
    private readonly Dictionary<long, long> _readsAsked = [];

    private readonly double _dropRate;
    private readonly double _duplicateRate;
    private long _order;
    private long _systemSequence;
    private long _now;
    private long _events;
    private bool _healed;
    private bool _finished;
    private string? _violation;
    private int _crashes;
    private int _partitions;
    private int _snapshotsInstalled;
    private int _leaderChanges;
    private long _highestAppliedSlot = -1;
    private long _nextReadId;
    private long _readsConfirmed;
    private long _readsRefused;

    public Simulation(long seed, SimulationOptions options)
    {
        _seed = seed;
        _options = options;
        _random = new SimRandom(seed);
        _paxos = options.PaxosFor(options.Replicas, options.PreVoteAndCheckQuorum ?? _random.Chance(0.5));
        _dropRate = _random.NextDouble() * options.MaxDropRate;
        _duplicateRate = _random.NextDouble() * options.MaxDuplicateRate;
        _cut = new bool[options.Replicas + 1, options.Replicas + 1];
        _replicas = Enumerable.Range(1, options.Replicas)
            .Select(id => new SimReplica(id, _random.Fork(), _random.Between(4, 48)))
            .ToArray();
        _workload = options.Workload();
        _clients = _workload.CreateClients(options);
    }

    public long Now => _now;

    public bool Healed => _healed;

    public SimRandom Random => _random;

    public IReadOnlyList<SimReplica> Replicas => _replicas;

    public SimulationResult Run()
    {
        _workload.Start(this);
        foreach (var replica in _replicas)
        {
            Restart(replica);
        }
        foreach (var client in _clients)
        {
            client.Target = _random.Pick(_paxos.ReplicaIds);
            ScheduleClient(client, _random.Between(0, 20));
        }
        At(_random.Between(50, 300), ChaosStep);
        At(_options.ChaosDuration, Heal);
        At(_options.ChaosDuration + 100, CheckCompletion);
        if (_options.ReadIndexInterval > 0)
        {
            At(_options.ReadIndexInterval, AskReadIndex);
        }

        while (!_finished && _violation is null && _queue.TryDequeue(out var action, out var when))
        {
            _now = when.Time;
            if (++_events > MaxEvents)
            {
                _violation = $"event budget of {MaxEvents} exhausted at t={_now}";
                break;
            }
            action();
        }
        if (!_finished && _violation is null)
        {
            _violation = "the event queue ran dry before the run finished";
        }
        var counters = new Dictionary<string, long>(_workload.Counters);
        if (_options.ReadIndexInterval > 0)
        {
            counters["read indexes confirmed"] = _readsConfirmed;
            counters["read indexes refused"] = _readsRefused;
        }
        var stats = new SimulationStats(_now, _events, _chosen.Count, _submitted.Count, _crashes, _partitions, _snapshotsInstalled, _leaderChanges, counters);
        return new SimulationResult(_seed, _options.Replicas, _violation, _trace.ToString(), stats);
    }

    private void At(long time, Action action) => _queue.Enqueue(action, (time, _order++));

    public void After(long delay, Action action) => At(_now + delay, action);

    public void Fail(string violation)
    {
        _violation ??= $"t={_now}: {violation}";
    }

    public void ProposeAsSystem(Transaction transaction)
    {
        var leader = _replicas.FirstOrDefault(replica => replica.Core?.Role == ProposerRole.Leader);
        if (leader?.Core is not { } core)
        {
            return;
        }
        // System commands are not deduplicated by the state machine; distinct sequences only keep the
        // simulation's validity and integrity bookkeeping apart.
        var command = new Command(CoordinatorStateMachine.SystemSessionId, ++_systemSequence, TransactionCodec.Encode(transaction));
        _submitted[(command.SessionId, command.Sequence)] = command;
        Step(leader, outbox => core.Submit(command, _now, outbox));
    }

    // ---- replicas -------------------------------------------------------------------------------------------

    private void Restart(SimReplica replica)
    {
        if (replica.IsUp)
        {
            return;
        }
        replica.Incarnation++;
        var acceptor = _options.AcceptorFactory(replica.Id, _paxos, replica.Journal);
        var learner = _options.LearnerFactory(replica.Id, _paxos, replica.DurableSnapshot);
        replica.Core = new ReplicaCore(replica.Id, _paxos, acceptor, learner, replica.Random);
        replica.Machine = _workload.CreateMachine(replica.DurableSnapshot?.State);
        replica.LastTimestamp = replica.DurableSnapshot?.LastTimestamp ?? 0;
        replica.Core.Start(_now);
        _trace.Record(_now, "restart", replica.Id, $"applied<{replica.Core.AppliedBelow}");
        var incarnation = replica.Incarnation;
        After(replica.Random.Between(1, _options.TickInterval), () => Tick(replica, incarnation));
    }

    private void Crash(SimReplica replica)
    {
        if (!replica.IsUp)
        {
            return;
        }
        _crashes++;
        replica.Core = null;
        replica.WritesPending = 0;
        replica.LastWriteDurableAt = 0;
        _trace.Record(_now, "crash", replica.Id);
    }

    private void Tick(SimReplica replica, int incarnation)
    {
        if (replica.Incarnation != incarnation || replica.Core is not { } core)
        {
            return;
        }
        Step(replica, outbox => core.Tick(_now, outbox));
        After(_options.TickInterval, () => Tick(replica, incarnation));
    }

    /// <summary>
    /// Runs one input through a replica's core and drains the outbox as the replica's shell does: the early messages
    /// leave at once, deliveries apply at once, and the journal write starts; the other messages wait for it.
    /// </summary>
    private void Step(SimReplica replica, Action<Outbox> input)
    {
        var core = replica.Core!;
        var wasLeader = core.Role == ProposerRole.Leader;
        _outbox.Clear();
        input(_outbox);
        foreach (var envelope in _outbox.Send)
        {
            Send(replica.Id, envelope);
        }
        if (_outbox.Persist.Count > 0 || replica.WritesPending > 0)
        {
            Write(replica, [.. _outbox.Persist], [.. _outbox.SendAfterPersist]);
        }
        else
        {
            foreach (var envelope in _outbox.SendAfterPersist)
            {
                Send(replica.Id, envelope);
            }
        }
        foreach (var delivery in _outbox.Deliver)
        {
            Deliver(replica, delivery);
        }
        foreach (var answer in _outbox.ReadIndexes)
        {
            CheckReadIndex(replica, answer);
        }
        if (!wasLeader && core.Role == ProposerRole.Leader)
        {
            _leaderChanges++;
            _trace.Record(_now, "leads", replica.Id, core.Ballot);
        }
        MaybeSnapshot(replica, core);
    }

    private void MaybeSnapshot(SimReplica replica, ReplicaCore core)
    {
        var snapshotAt = replica.DurableSnapshot?.AppliedBelow ?? 0;
        if (core.AppliedBelow - snapshotAt < replica.SnapshotInterval)
        {
            return;
        }
        var state = replica.Machine.Snapshot();
        replica.DurableSnapshot = new SnapshotDelivered(core.AppliedBelow, replica.LastTimestamp, state);
        _compactionOutbox.Clear();
        core.Compact(core.AppliedBelow, replica.LastTimestamp, state, SnapshotChecksum.Of(state), _compactionOutbox);
        if (_compactionOutbox.Persist.Count > 0)
        {
            Write(replica, [.. _compactionOutbox.Persist], []);
        }
    }

    /// <summary>
    /// Starts a journal write that becomes durable after a random latency, never before the replica's earlier writes
    /// (a journal is one ordered stream); then the messages that waited for it leave. A crash first loses it.
    /// </summary>
    private void Write(SimReplica replica, AcceptorEvent[] events, Envelope[] waiting)
    {
        var durableAt = Math.Max(_now + JournalLatency(), replica.LastWriteDurableAt);
        replica.LastWriteDurableAt = durableAt;
        replica.WritesPending++;
        var incarnation = replica.Incarnation;
        At(durableAt, () =>
        {
            if (replica.Incarnation != incarnation || !replica.IsUp)
            {
                return;
            }
            replica.WritesPending--;
            foreach (var recorded in events)
            {
                replica.Persist(recorded);
            }
            foreach (var envelope in waiting)
            {
                Send(replica.Id, envelope);
            }
        });
    }

    /// <summary>Mostly a quick fsync, now and then a stall of the kind a busy disk gives.</summary>
    private long JournalLatency() => _random.Between(0, 4) + (_random.Chance(0.05) ? _random.Between(10, 150) : 0);

    // ---- network --------------------------------------------------------------------------------------------

    private void Send(int from, Envelope envelope)
    {
        var to = envelope.To;
        if (to == from)
        {
            // Messages between the roles of one replica are local actor messages: never lost, barely delayed.
            After(_random.Between(0, 1), () => Receive(to, envelope.Message));
            return;
        }
        if (_cut[from, to] || _random.Chance(_healed ? 0 : _dropRate))
        {
            return;
        }
        After(NetworkDelay(), () => Receive(to, envelope.Message));
        if (_random.Chance(_duplicateRate))
        {
            After(NetworkDelay(), () => Receive(to, envelope.Message));
        }
    }

    private long NetworkDelay() => _random.Between(1, 10) + (_random.Chance(0.1) ? _random.Between(10, 120) : 0);

    private void Receive(int to, PaxosMessage message)
    {
        var replica = _replicas[to - 1];
        if (replica.Core is not { } core)
        {
            return;
        }
        Step(replica, outbox =>
        {
            if (!core.Handle(message, _now, outbox))
            {
                Fail($"replica {to} refused a message from a configured replica: {message}");
            }
        });
    }

    // ---- state machine and invariants -----------------------------------------------------------------------

    private void Deliver(SimReplica replica, Delivery delivery)
    {
        switch (delivery)
        {
            case SlotDelivered slot:
                ApplySlot(replica, slot);
                break;
            case SnapshotDelivered snapshot:
                _snapshotsInstalled++;
                replica.Machine = _workload.CreateMachine(snapshot.State);
                replica.LastTimestamp = snapshot.LastTimestamp;
                _trace.Record(_now, "install-snapshot", replica.Id, $"applied<{snapshot.AppliedBelow}");
                if (replica.Machine.NextSlot != snapshot.AppliedBelow)
                {
                    Fail($"replica {replica.Id} installed a snapshot claiming slot {snapshot.AppliedBelow} holding state of {replica.Machine.NextSlot}");
                }
                if (snapshot.AppliedBelow > 0
                    && _hashAfterSlot.TryGetValue(snapshot.AppliedBelow - 1, out var expected)
                    && expected != replica.Machine.Hash)
                {
                    Fail($"replica {replica.Id} installed a snapshot at {snapshot.AppliedBelow} whose state differs from what others applied");
                }
                break;
        }
    }

    private void ApplySlot(SimReplica replica, SlotDelivered delivered)
    {
        var (slot, timestamp, value) = (delivered.Slot, delivered.Timestamp, delivered.Value);
        if (slot != replica.Machine.NextSlot)
        {
            Fail($"prefix: replica {replica.Id} delivered slot {slot} while its next slot is {replica.Machine.NextSlot}");
            return;
        }
        if (!_chosen.TryAdd(slot, value) && !_chosen[slot].Equals(value))
        {
            Fail($"agreement: slot {slot} delivered as {_chosen[slot]} elsewhere and as {value} on replica {replica.Id}");
            return;
        }
        if (timestamp < replica.LastTimestamp)
        {
            Fail($"time: replica {replica.Id} delivered slot {slot} at {timestamp}, before the previous slot's {replica.LastTimestamp}");
        }
        replica.LastTimestamp = timestamp;
        _highestAppliedSlot = Math.Max(_highestAppliedSlot, slot);
        foreach (var command in value.Commands)
        {
            if (!_submitted.TryGetValue((command.SessionId, command.Sequence), out var submitted) || !submitted.Equals(command))
            {
                Fail($"validity: slot {slot} carries {command}, which no client submitted");
            }
        }
        foreach (var command in replica.Machine.Apply(slot, delivered.Time, value))
        {
            var key = (command.SessionId, command.Sequence);
            if (!_appliedAtSlot.TryAdd(key, slot) && _appliedAtSlot[key] != slot)
            {
                Fail($"integrity: {command} applied at slot {slot} on replica {replica.Id} and at slot {_appliedAtSlot[key]} elsewhere");
            }
        }
        var first = _hashAfterSlot.TryAdd(slot, replica.Machine.Hash);
        if (!first && _hashAfterSlot[slot] != replica.Machine.Hash)
        {
            Fail($"prefix: replica {replica.Id} state after slot {slot} differs from another replica's");
        }
        _workload.AfterSlot(replica, slot, first);
        _trace.Record(_now, "deliver", replica.Id, $"slot {slot} {value}");
    }

    // ---- read index -----------------------------------------------------------------------------------------

    /// <summary>A reader asks a random replica for a read index, during the chaos and after it.</summary>
    private void AskReadIndex()
    {
        if (_finished)
        {
            return;
        }
        var replica = _replicas[_random.Pick(_paxos.ReplicaIds) - 1];
        if (replica.Core is { } core)
        {
            var requestId = ++_nextReadId;
            _readsAsked[requestId] = _highestAppliedSlot;
            var asked = false;
            Step(replica, outbox => asked = core.ReadIndex(requestId, _now, outbox));
            if (!asked)
            {
                _readsAsked.Remove(requestId);
            }
        }
        After(_options.ReadIndexInterval, AskReadIndex);
    }

    /// <summary>
    /// Linearizable reads: a read index must lie above every slot applied anywhere before the read was asked, since a
    /// write is acknowledged once a replica applied it.
    /// </summary>
    private void CheckReadIndex(SimReplica replica, ReadIndexAnswer answer)
    {
        if (!_readsAsked.Remove(answer.RequestId, out var appliedBefore))
        {
            Fail($"read index: replica {replica.Id} answered read {answer.RequestId}, which is not waiting for an answer");
            return;
        }
        if (answer.Index is not { } index)
        {
            _readsRefused++;
            return;
        }
        _readsConfirmed++;
        _trace.Record(_now, "read-index", replica.Id, $"read {answer.RequestId} at {index}");
        if (index <= appliedBefore)
        {
            Fail($"read index: replica {replica.Id} answered read {answer.RequestId} with index {index}, but slot {appliedBefore} was applied before it was asked");
        }
    }

    // ---- clients --------------------------------------------------------------------------------------------

    private void ScheduleClient(SimClient client, long delay)
    {
        var generation = ++client.TimerGeneration;
        After(delay, () =>
        {
            if (client.TimerGeneration == generation)
            {
                ClientStep(client);
            }
        });
    }

    private void ClientStep(SimClient client)
    {
        if (client.Crashes(_random, _now, _healed))
        {
            _trace.Record(_now, "client-crash", 0, client.Index);
            client.Current = null;
        }
        if (client.Current is { } current && _appliedAtSlot.ContainsKey((current.SessionId, current.Sequence)))
        {
            client.Current = null;
        }
        if (client.Current is null)
        {
            if (client.Next(_random, _now, _healed) is not { } next)
            {
                if (!client.IsDone)
                {
                    ScheduleClient(client, ClientPollInterval);
                }
                return;
            }
            client.Current = next;
            _submitted[(next.SessionId, next.Sequence)] = next;
        }
        var command = client.Current;
        var target = client.Target;
        if (_random.Chance(_healed ? 0 : _dropRate))
        {
            ScheduleClient(client, ClientPollInterval);
            return;
        }
        After(NetworkDelay(), () => SubmitAt(client, target, command));
        ScheduleClient(client, ClientPollInterval);
    }

    private void SubmitAt(SimClient client, int target, Command command)
    {
        var replica = _replicas[target - 1];
        if (replica.Core is not { } core)
        {
            client.Target = _random.Pick(_paxos.ReplicaIds);
            return;
        }
        var result = default(SubmitResult);
        Step(replica, outbox => result = core.Submit(command, _now, outbox));
        if (result.Status == SubmitStatus.NotLeader)
        {
            After(NetworkDelay(), () =>
            {
                client.Target = result.LeaderHint != 0 ? result.LeaderHint : _random.Pick(_paxos.ReplicaIds);
                if (client.Current == command)
                {
                    ScheduleClient(client, 1);
                }
            });
        }
    }

    // ---- faults ---------------------------------------------------------------------------------------------

    private void ChaosStep()
    {
        if (_healed)
        {
            return;
        }
        var roll = _random.NextDouble();
        if (roll < 0.30)
        {
            // A quick bounce (restart within milliseconds) races the restarted replica against messages sent to
            // its previous life, which is where forgotten promises and unflushed votes show up.
            var victim = _random.Pick(_replicas);
            Crash(victim);
            After(_random.Chance(0.5) ? _random.Between(1, 40) : _random.Between(50, 1500), () =>
            {
                if (!_healed)
                {
                    Restart(victim);
                }
            });
        }
        else if (roll < 0.50)
        {
            var leader = _replicas.FirstOrDefault(replica => replica.Core?.Role == ProposerRole.Leader);
            var isolated = leader is not null && _random.Chance(0.5) ? leader : _random.Pick(_replicas);
            Isolate([isolated.Id]);
        }
        else if (roll < 0.65)
        {
            var shuffled = _replicas.Select(replica => replica.Id).OrderBy(_ => _random.NextUInt64()).ToList();
            Isolate(shuffled.Take(_options.Replicas / 2).ToList());
        }
        else if (roll < 0.75)
        {
            var a = (int)_random.Between(1, _options.Replicas);
            var b = (int)_random.Between(1, _options.Replicas);
            if (a != b)
            {
                Flap(a, b, (int)_random.Between(4, 12));
            }
        }
        else
        {
            HealLinks();
        }
        After(_random.Between(100, 600), ChaosStep);
    }

    /// <summary>Cuts every link between <paramref name="side"/> and the other replicas.</summary>
    private void Isolate(IReadOnlyCollection<int> side)
    {
        _partitions++;
        HealLinks();
        foreach (var a in side)
        {
            foreach (var b in _paxos.ReplicaIds.Where(id => !side.Contains(id)))
            {
                _cut[a, b] = _cut[b, a] = true;
            }
        }
        _trace.Record(_now, "partition", 0, string.Join(',', side));
    }

    private void Flap(int a, int b, int remaining)
    {
        if (_healed || remaining == 0)
        {
            return;
        }
        _cut[a, b] = _cut[b, a] = !_cut[a, b];
        After(_random.Between(20, 80), () => Flap(a, b, remaining - 1));
    }

    private void HealLinks() => Array.Clear(_cut);

    private void Heal()
    {
        _healed = true;
        HealLinks();
        foreach (var replica in _replicas)
        {
            Restart(replica);
        }
        _trace.Record(_now, "heal", 0);
    }

    private void CheckCompletion()
    {
        var missing = new List<string>();
        foreach (var replica in _replicas)
        {
            var notApplied = _submitted.Keys.Count(key =>
                key.Session != CoordinatorStateMachine.SystemSessionId
                && !_workload.IsAbandoned(key.Session)
                && !replica.Machine.HasApplied(key.Session, key.Sequence));
            if (notApplied > 0)
            {
                missing.Add($"replica {replica.Id} lacks {notApplied}");
            }
        }
        if (_workload.Unfinished() is { } unfinished)
        {
            missing.Add(unfinished);
        }
        if (missing.Count == 0)
        {
            _finished = true;
            return;
        }
        if (_now > _options.ChaosDuration + _options.LivenessBound)
        {
            var states = _replicas.Select(replica => replica.Core is { } core
                ? $"r{replica.Id}: {core.Role} ballot {core.Ballot} promised {core.Promised} hint {core.LeaderHint} applied<{core.AppliedBelow} known<{core.KnownChosenBelow} pending {core.PendingCommands}"
                : $"r{replica.Id}: down");
            Fail($"liveness: {_options.LivenessBound} ms after healing, {string.Join("; ", missing)}\n  {string.Join("\n  ", states)}");
            return;
        }
        After(100, CheckCompletion);
    }
}
