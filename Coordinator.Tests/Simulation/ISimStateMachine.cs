using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// What a simulated replica applies chosen slots to. The simulation needs only enough to check consensus: which
/// commands a slot applied for the first time (integrity), a hash of the state after it (prefix), and whether a
/// command has been applied (liveness). A workload may read more from its own machines.
/// </summary>
internal interface ISimStateMachine
{
    long NextSlot { get; }

    ulong Hash { get; }

    /// <returns>The commands applied for the first time, skipping retries of commands already applied.</returns>
    IEnumerable<Command> Apply(long slot, SlotTime time, Batch batch);

    byte[] Snapshot();

    bool HasApplied(long sessionId, long sequence);
}
