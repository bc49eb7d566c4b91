using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>The reply to the command and every event the slot's application caused, in the order they happened.</summary>
internal sealed record ApplyResult(OpResult Result, IReadOnlyList<StateMachineEvent> Events)
{
    public ErrorCode Code => Result.Code;
}
