namespace Coordinator.Core.Consensus;

/// <summary>
/// What a slot tells the state machine about time. <paramref name="Timestamp"/> is the leader's wall clock, never
/// going backwards, for the times users see (Stat ctime and mtime). <paramref name="Term"/> is the ballot of the
/// leader that created the batch and <paramref name="LeaderClock"/> that leader's monotonic clock when it did: only
/// the difference between two batches of one term measures time, so leases, TTLs and lock-delay run on those
/// differences and never on any leader's wall clock (StateMachine/README.md, "Time").
/// </summary>
internal readonly record struct SlotTime(long Timestamp, Ballot Term, long LeaderClock)
{
    /// <summary>
    /// A batch from before batches named their term (an old journal), or a test's single leader whose clock is the
    /// stamp: term <see cref="Ballot.Zero"/> with the stamp as clock, so durations follow the highest stamp, as all
    /// slot time did then.
    /// </summary>
    public static SlotTime Untermed(long timestamp) => new(timestamp, Ballot.Zero, timestamp);
}
