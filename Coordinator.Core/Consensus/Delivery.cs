namespace Coordinator.Core.Consensus;

/// <summary>What a learner hands the state machine, strictly in slot order.</summary>
internal abstract record Delivery;

/// <summary>
/// Apply <paramref name="Value"/> as slot <paramref name="Slot"/>. <paramref name="Timestamp"/> is the slot's leader
/// stamp clamped so it never goes backwards, which is the only clock the state machine may read.
/// </summary>
internal sealed record SlotDelivered(long Slot, long Timestamp, Batch Value) : Delivery;

/// <summary>Replace the whole state with a peer's snapshot; the next delivery is slot <paramref name="AppliedBelow"/>.</summary>
internal sealed record SnapshotDelivered(long AppliedBelow, long LastTimestamp, byte[] State) : Delivery;
