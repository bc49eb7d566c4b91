namespace Coordinator.Core.Consensus;

/// <summary>What a learner hands the state machine, strictly in slot order.</summary>
internal abstract record Delivery;

/// <summary>
/// Apply <paramref name="Value"/> as slot <paramref name="Slot"/>. <paramref name="Timestamp"/> is the slot's leader
/// stamp clamped so it never goes backwards, which is the only clock the state machine may read.
/// </summary>
internal sealed record SlotDelivered(long Slot, long Timestamp, Batch Value) : Delivery
{
    /// <summary>
    /// The slot's time for the state machine: the clamped stamp, and the batch's own term and leader clock. A batch
    /// from before terms (<see cref="Ballot.Zero"/>) keeps measuring by the clamped stamp, exactly as state machine
    /// snapshots of that time did, so a replica replaying an old journal and one restored past it agree.
    /// </summary>
    public SlotTime Time => Value.Term == Ballot.Zero ? SlotTime.Untermed(Timestamp) : new(Timestamp, Value.Term, Value.Clock);
}

/// <summary>Replace the whole state with a peer's snapshot; the next delivery is slot <paramref name="AppliedBelow"/>.</summary>
internal sealed record SnapshotDelivered(long AppliedBelow, long LastTimestamp, byte[] State) : Delivery;
