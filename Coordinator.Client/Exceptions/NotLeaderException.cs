using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// A leader-only call (Proclaim) by a session that does not lead the election any more: it resigned, or lost the
/// election lock. etcd's ErrElectionNotLeader.
/// </summary>
public sealed class NotLeaderException(string path)
    : CoordinatorException(ErrorCode.NotLockHolder, path, "this session does not lead the election");
