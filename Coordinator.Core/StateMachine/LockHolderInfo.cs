using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>LeaseDeadline is null for a lock held by session rather than by lease.</summary>
internal sealed record LockHolderInfo(long SessionId, LockMode Mode, long Token, long? LeaseDeadline);
