using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Runtime;

/// <summary>The local replica applied a command in <paramref name="Slot"/>; what it changed, for watches and waiters.</summary>
internal sealed record CommandApplied(long Slot, IReadOnlyList<StateMachineEvent> Events);
