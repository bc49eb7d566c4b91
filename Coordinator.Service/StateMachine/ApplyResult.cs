using Coordinator.Client;
using Coordinator.Client.Protocol;

namespace Coordinator.Service.StateMachine;

/// <summary>The reply to the command and every event the slot's application caused, in the order they happened.</summary>
internal sealed record ApplyResult(OpResult Result, IReadOnlyList<StateMachineEvent> Events)
{
    public ErrorCode Code => Result.Code;
}
