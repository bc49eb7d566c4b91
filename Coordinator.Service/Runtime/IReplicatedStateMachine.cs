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
    /// The snapshot as of now, possibly with parts still to be copied in; assembling it may run on another thread
    /// while Apply goes on. The default copies everything at once.
    /// </summary>
    PendingBytes CaptureSnapshot() => new(Snapshot(), []);

    void Restore(byte[] snapshot);
}
