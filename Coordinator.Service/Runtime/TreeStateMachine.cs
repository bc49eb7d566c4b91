using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Core.Sessions;
using Coordinator.Core.StateMachine;
using LogCommand = Coordinator.Core.Consensus.Command;

namespace Coordinator.Service.Runtime;

/// <summary>
/// The data tree (<see cref="CoordinatorStateMachine"/>) behind the replica's state machine contract: decodes each
/// command's payload into a transaction, applies it, and encodes the result for the waiting client. A payload that
/// does not decode is answered with BadArguments and changes nothing, on every replica alike. What each command
/// changed goes to <see cref="Applied"/> (the gateway's watches), on the replica actor's thread, in apply order.
/// </summary>
internal sealed class TreeStateMachine(StateMachineSettings settings) : IReplicatedStateMachine, ISessionTable
{
    public CoordinatorStateMachine Tree { get; private set; } = new(settings);

    public Action<CommandApplied>? Applied { get; set; }

    public Action<StateInstalled>? Installed { get; set; }

    public Action<long, int>? SessionOpened { get; set; }

    public Action<long>? SessionEnded { get; set; }

    public byte[] Apply(long slot, SlotTime time, LogCommand command)
    {
        var decoded = TransactionCodec.Decode(command.Payload);
        if (!decoded.IsOk)
        {
            return ResultCodec.Encode(new ErrorResult(ErrorCode.BadArguments, $"the command does not decode as a transaction ({decoded.Error})"));
        }
        var applied = Tree.Apply(slot, time, command.SessionId, command.Sequence, decoded.Value!);
        TellSessionChanges(applied);
        Applied?.Invoke(new CommandApplied(slot, applied.Events));
        return ResultCodec.Encode(applied.Result);
    }

    public byte[] Snapshot() => Tree.Snapshot();

    public ISnapshotCapture BeginSnapshot() => Tree.BeginSnapshot();

    public void Restore(byte[] snapshot)
    {
        Tree = CoordinatorStateMachine.Restore(snapshot, settings);
        // Slots after the last one that carried a command changed nothing.
        Installed?.Invoke(new StateInstalled(Tree.LastAppliedSlot + 1));
    }

    public IEnumerable<(long SessionId, int TimeoutMs)> Sessions() => Tree.SessionTimeouts();

    /// <summary>
    /// A create's result names its session; a deduplicated resend of a create returns the same result while the session
    /// lives, which the tracker takes as the session it already has.
    /// </summary>
    private void TellSessionChanges(ApplyResult applied)
    {
        if (applied.Result is SessionCreatedResult created)
        {
            SessionOpened?.Invoke(created.SessionId, created.TimeoutMs);
        }
        foreach (var change in applied.Events)
        {
            switch (change)
            {
                case SessionExpired expired:
                    SessionEnded?.Invoke(expired.SessionId);
                    break;
                case SessionClosed closed:
                    SessionEnded?.Invoke(closed.SessionId);
                    break;
            }
        }
    }

    public byte[] ExpireCommand(long sessionId) => TransactionCodec.Encode(new ExpireSession(sessionId));

    public byte[] TickCommand() => TransactionCodec.Encode(Tick.Instance);
}
