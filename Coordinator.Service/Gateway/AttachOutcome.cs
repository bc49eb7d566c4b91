using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Gateway;

/// <summary>What an attach found in the replica's applied state.</summary>
/// <param name="Session">The session, or null when it does not exist (never did, or ended).</param>
/// <param name="Nodes">The node of each re-registered watch, in the order of the attach's watches.</param>
/// <param name="HeldAwaitedLocks">The awaited locks the session holds, with their fencing tokens.</param>
internal sealed record AttachOutcome(SessionInfo? Session, IReadOnlyList<NodeRead> Nodes, IReadOnlyList<(string Path, long Token)> HeldAwaitedLocks);
