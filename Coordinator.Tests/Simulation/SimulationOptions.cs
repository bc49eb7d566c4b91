using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>How one seeded run is shaped. Fault rates are drawn per run from the seed within these bounds.</summary>
internal sealed record SimulationOptions
{
    public int Replicas { get; init; } = 3;

    public int Clients { get; init; } = 4;

    /// <summary>Virtual milliseconds of faults (crashes, partitions, loss); then the network heals.</summary>
    public long ChaosDuration { get; init; } = 10_000;

    /// <summary>After healing, every submitted command must be delivered on every replica within this long.</summary>
    public long LivenessBound { get; init; } = 30_000;

    public double MaxDropRate { get; init; } = 0.10;

    public double MaxDuplicateRate { get; init; } = 0.05;

    public int MaxCommandsPerClient { get; init; } = 200;

    public long TickInterval { get; init; } = 10;

    /// <summary>Slots a leader keeps in flight: deep pipelines stress recovery, 1 is what replicas run by default.</summary>
    public int PipelineWindow { get; init; } = 8;

    /// <summary>
    /// Virtual milliseconds between read index requests to a random replica; 0 asks none (and leaves the random
    /// stream, hence every seed's run, as it was before reads existed).
    /// </summary>
    public long ReadIndexInterval { get; init; }

    /// <summary>
    /// Pre-vote and check-quorum in every run (true), in none (false), or drawn per run (null, the default): without
    /// them contested elections are far more frequent, and those find phase-1 bugs; with them is how replicas run.
    /// </summary>
    public bool? PreVoteAndCheckQuorum { get; init; }

    /// <summary>Builds a run's state machines and clients; a new one per run, since a workload keeps run state.</summary>
    public Func<SimWorkload> Workload { get; init; } = () => new CommandWorkload();

    /// <summary>Builds the acceptor of a replica from its journal; tests swap in broken ones.</summary>
    public Func<int, PaxosOptions, IReadOnlyList<AcceptorEvent>, IAcceptor> AcceptorFactory { get; init; } =
        (id, options, journal) => Acceptor.Recover(id, options, journal);

    public Func<int, PaxosOptions, SnapshotDelivered?, ILearner> LearnerFactory { get; init; } =
        (id, options, snapshot) => new Learner(id, options, snapshot);

    public PaxosOptions PaxosFor(int replicas, bool preVoteAndCheckQuorum) => new()
    {
        PreVoteAndCheckQuorum = preVoteAndCheckQuorum,
        ReplicaIds = [.. Enumerable.Range(1, replicas)],
        HeartbeatInterval = 50,
        ElectionTimeout = 300,
        RetransmitInterval = 100,
        CatchUpInterval = 100,
        PipelineWindow = PipelineWindow,
        MaxBatchCommands = 4,
        MaxCatchUpEntries = 16,

        // Smaller than any snapshot (32 bytes and up), so every install is a chunked, lossy, resumable transfer; and
        // under two votes' estimated size, so every promise with more than one vote comes in parts.
        MaxMessageBytes = 24,
    };
}
