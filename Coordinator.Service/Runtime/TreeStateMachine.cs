using Coordinator.Service.StateMachine;
using LogCommand = Coordinator.Service.Consensus.Command;

using Coordinator.Client.Protocol;

namespace Coordinator.Service.Runtime;

/// <summary>
/// The data tree (<see cref="CoordinatorStateMachine"/>) behind the replica's state machine contract: decodes each
/// command's payload into a transaction, applies it, and encodes the result for the waiting client. A payload that
/// does not decode is answered with BadArguments and changes nothing, on every replica alike.
/// </summary>
internal sealed class TreeStateMachine(StateMachineSettings settings) : IReplicatedStateMachine
{
    public CoordinatorStateMachine Tree { get; private set; } = new(settings);

    public byte[] Apply(long slot, long timestamp, LogCommand command)
    {
        var decoded = TransactionCodec.Decode(command.Payload);
        OpResult result = decoded.IsOk
            ? Tree.Apply(slot, timestamp, command.SessionId, command.Sequence, decoded.Value!).Result
            : new ErrorResult(ErrorCode.BadArguments);
        return ResultCodec.Encode(result);
    }

    public byte[] Snapshot() => Tree.Snapshot();

    public void Restore(byte[] snapshot) => Tree = CoordinatorStateMachine.Restore(snapshot, settings);
}
