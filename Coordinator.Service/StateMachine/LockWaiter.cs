using Coordinator.Client;
using Coordinator.Client.Protocol;

namespace Coordinator.Service.StateMachine;

/// <summary>A queued Acquire; a requested lease starts counting only at the grant.</summary>
internal sealed record LockWaiter(long SessionId, LockMode Mode, long? LeaseTtlMs);
