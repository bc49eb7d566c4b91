using Coordinator.Client;

namespace Coordinator.Core.StateMachine;

/// <summary>A node's ACL and ACL version as a getAcl sees it; empty unless Code is Ok.</summary>
internal sealed record AclRead(ErrorCode Code, IReadOnlyList<AclEntry> Acl, int AclVersion, Stat Stat);
