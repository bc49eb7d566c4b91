using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class NotLockHolderException(string? path = null) : CoordinatorException(ErrorCode.NotLockHolder, path);
