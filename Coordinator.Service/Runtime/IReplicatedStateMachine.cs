using Coordinator.Core.Consensus;

namespace Coordinator.Service.Runtime;

/// <summary>
/// What a replica applies chosen commands to (hashicorp/raft's FSM contract). Apply must be deterministic and
/// must itself answer a repeated (session, sequence) with the first result, so a retried command is applied once.
/// </summary>
internal interface IReplicatedStateMachine
{
    /// <returns>The encoded result to hand the client that proposed <paramref name="command"/>.</returns>
    byte[] Apply(long slot, long timestamp, Command command);

    byte[] Snapshot();

    void Restore(byte[] snapshot);
}
