using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// What applying a command caused. Node events feed the gateway's watch registry; lock and session events are
/// addressed to the session named in them. Every event carries the slot it happened in.
/// </summary>
internal abstract record StateMachineEvent(long Slot);

internal sealed record NodeCreated(string Path, long Slot) : StateMachineEvent(Slot);

internal sealed record NodeDeleted(string Path, long Slot) : StateMachineEvent(Slot);

internal sealed record NodeDataChanged(string Path, long Slot) : StateMachineEvent(Slot);

internal sealed record NodeChildrenChanged(string Path, long Slot) : StateMachineEvent(Slot);

/// <summary>A queued Acquire was granted; immediate grants are told in the Acquire's own result instead.</summary>
internal sealed record LockGranted(string Path, long SessionId, LockMode Mode, long Token, long Slot)
    : StateMachineEvent(Slot);

/// <summary>A live session lost a lock it did not release: its lease lapsed.</summary>
internal sealed record LockLost(string Path, long SessionId, long Token, long Slot) : StateMachineEvent(Slot);

internal sealed record SessionExpired(long SessionId, long Slot) : StateMachineEvent(Slot);

internal sealed record SessionClosed(long SessionId, long Slot) : StateMachineEvent(Slot);
