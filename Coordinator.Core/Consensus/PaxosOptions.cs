using System.Collections.Immutable;

namespace Coordinator.Core.Consensus;

/// <summary>
/// Tuning of one replica's consensus core. Times are in the shell's clock unit (milliseconds in the service, virtual
/// milliseconds in the simulation); the core only compares them.
/// </summary>
internal sealed record PaxosOptions
{
    /// <summary>The configured replica set: the Paxos quorum is a majority of it, whatever the membership layer thinks.</summary>
    public required ImmutableArray<int> ReplicaIds { get; init; }

    public long HeartbeatInterval { get; init; } = 50;

    /// <summary>A follower that hears no leader for this long plus a random jitter of up to the same again starts an election.</summary>
    public long ElectionTimeout { get; init; } = 300;

    /// <summary>
    /// A leader that has not heard a majority answer its ballot for this long steps down (check-quorum): the longest a
    /// follower waits before it asks for pre-votes, an election timeout and its whole jitter. A leader that gave up
    /// sooner than its followers would give up on it deposed itself whenever one follower of two stalled for an
    /// election timeout (installing a snapshot of hundreds of MB, a starved thread pool), which the fault harness saw
    /// keep a two-survivor cluster from finishing a catch-up; giving up later only lengthens, by up to an election
    /// timeout, the stall of clients attached to a leader cut off from its majority, which can commit nothing anyway.
    /// </summary>
    public long CheckQuorumTimeout => 2 * ElectionTimeout;

    /// <summary>How long an unanswered Prepare or Accept waits before it is sent again to the replicas that did not answer.</summary>
    public long RetransmitInterval { get; init; } = 100;

    public long CatchUpInterval { get; init; } = 100;

    /// <summary>Slots a leader may have proposed but not yet seen chosen.</summary>
    public int PipelineWindow { get; init; } = 1;

    public int MaxBatchCommands { get; init; } = 512;

    public int MaxBatchBytes { get; init; } = 4 << 20;

    /// <summary>Commands a leader queues while the window is full; beyond it, submissions are refused as overload.</summary>
    public int MaxPendingCommands { get; init; } = 100_000;

    public int MaxCatchUpEntries { get; init; } = 256;

    /// <summary>
    /// The most payload one catch-up message or snapshot chunk carries, well under the transport's frame limit (which
    /// drops larger frames silently). A catch-up page always carries at least one entry; a batch is bounded by
    /// <see cref="MaxBatchBytes"/>.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 4 << 20;

    /// <summary>Catch-up intervals a snapshot transfer waits for its sender's next chunk before it tries another peer.</summary>
    public int MaxUnansweredChunkAsks { get; init; } = 5;

    /// <summary>
    /// Pre-vote and check-quorum (see <see cref="Proposer"/>): on wherever replicas run. The simulation turns them off
    /// in some runs, whose frequent contested elections find phase-1 bugs (a forgotten promise) far sooner.
    /// </summary>
    public bool PreVoteAndCheckQuorum { get; init; } = true;

    public int Majority => ReplicaIds.Length / 2 + 1;

    public void Validate(int replicaId)
    {
        if (ReplicaIds.IsDefaultOrEmpty)
        {
            throw new ArgumentException("The replica set is empty.");
        }
        if (ReplicaIds.Length > 31)
        {
            throw new ArgumentException("At most 31 replicas are supported.");
        }
        if (ReplicaIds.Distinct().Count() != ReplicaIds.Length || ReplicaIds.Any(id => id <= 0))
        {
            throw new ArgumentException($"Replica ids must be distinct positive integers: {string.Join(',', ReplicaIds)}.");
        }
        if (!ReplicaIds.Contains(replicaId))
        {
            throw new ArgumentException($"Replica {replicaId} is not in the configured replica set {string.Join(',', ReplicaIds)}.");
        }
        if (HeartbeatInterval <= 0 || ElectionTimeout <= HeartbeatInterval || RetransmitInterval <= 0 || CatchUpInterval <= 0)
        {
            throw new ArgumentException("Timeouts must be positive and the election timeout longer than the heartbeat interval.");
        }
        if (PipelineWindow <= 0 || MaxBatchCommands <= 0 || MaxBatchBytes <= 0 || MaxPendingCommands <= 0 || MaxCatchUpEntries <= 0
            || MaxMessageBytes <= 0 || MaxUnansweredChunkAsks <= 0)
        {
            throw new ArgumentException("Window, batch and queue limits must be positive.");
        }
    }
}
