using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>A queued Acquire; a requested lease starts counting only at the grant.</summary>
internal sealed record LockWaiter(long SessionId, LockMode Mode, long? LeaseTtlMs);
