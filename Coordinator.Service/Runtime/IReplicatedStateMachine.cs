using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;

namespace Coordinator.Service.Runtime;

/// <summary>
/// What a replica applies chosen commands to (hashicorp/raft's FSM contract). Apply must be deterministic and
/// must itself answer a repeated (session, sequence) with the first result, so a retried command is applied once.
/// </summary>
internal interface IReplicatedStateMachine
{
    /// <param name="time">The slot's stamp, and the term and leader clock the state machine measures durations by.</param>
    /// <returns>The encoded result to hand the client that proposed <paramref name="command"/>.</returns>
    byte[] Apply(long slot, SlotTime time, Command command);

    byte[] Snapshot();

    /// <summary>
    /// The snapshot as of now, written a slice at a time; Apply is not called until it is complete. Its result may have
    /// parts still to be copied in, which may happen on another thread while Apply goes on. The default writes
    /// everything in the first slice.
    /// </summary>
    ISnapshotCapture BeginSnapshot() => new WholeSnapshot(Snapshot());

    void Restore(byte[] snapshot);
}
