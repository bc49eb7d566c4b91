namespace Coordinator.Client;

/// <summary>The session's user lacks the permission the node's ACL asks for (ZooKeeper's NOAUTH); nothing changed.</summary>
public sealed class NoAuthException(string? path = null) : CoordinatorException(ErrorCode.NoAuth, path);
