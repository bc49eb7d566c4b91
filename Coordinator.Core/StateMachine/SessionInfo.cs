using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>Read-side view of a session for the gateway and the leader's tracker.</summary>
internal sealed record SessionInfo(
    long SessionId,
    int TimeoutMs,
    long Secret,
    long LastSeen,
    long Deadline,
    long LastSequence,
    IReadOnlyList<string> Ephemerals,
    IReadOnlyList<string> Locks,
    string? User = null);
