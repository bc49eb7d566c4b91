namespace Coordinator.Core.Consensus;

/// <summary>
/// The learner role as the replica sees it. One production implementation (<see cref="Learner"/>); the seam exists
/// so tests can plug in a deliberately broken learner and prove the simulation notices.
/// </summary>
internal interface ILearner
{
    /// <summary>The next slot to deliver: every slot below it has been handed to the state machine.</summary>
    long AppliedBelow { get; }

    /// <summary>The clamped timestamp of the last delivered slot.</summary>
    long LastTimestamp { get; }

    /// <summary>The highest slot bound this learner has heard to be chosen (it may not hold all the values yet).</summary>
    long KnownChosenBelow { get; }

    /// <summary>The first slot still in the log: a peer behind it can catch up only through this learner's snapshot.</summary>
    long LogStart { get; }

    /// <summary>The local acceptor voted; the value becomes chosen once a commit point of the same ballot covers it.</summary>
    void OnVote(Vote vote, Outbox outbox);

    /// <summary>The local proposer, as leader, saw <paramref name="slot"/> chosen.</summary>
    void OnChosen(long slot, Batch value, Outbox outbox);

    void OnCommit(CommitPoint commit, int leader, Outbox outbox);

    void OnCatchUpRequest(CatchUpRequest request, Outbox outbox);

    void OnCatchUp(CatchUp catchUp, Outbox outbox);

    void OnSnapshotChunk(SnapshotChunk chunk, Outbox outbox);

    void OnSnapshotChunkRequest(SnapshotChunkRequest request, Outbox outbox);

    void Tick(long now, Outbox outbox);

    /// <summary>
    /// The state machine snapshotted its state after slot <paramref name="appliedBelow"/> - 1: drop the log below it
    /// and serve the snapshot to peers that fall behind it. <paramref name="stateChecksum"/> is its
    /// <see cref="SnapshotChecksum"/>, summed by the shell off its thread (hundreds of MB took 1.5 s on a loaded
    /// machine, long enough for a leader to lose the quorum that follower was part of).
    /// </summary>
    void Compact(long appliedBelow, long lastTimestamp, byte[] state, long stateChecksum);
}
