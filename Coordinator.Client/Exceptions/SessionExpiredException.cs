using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class SessionExpiredException(string? path = null) : CoordinatorException(ErrorCode.SessionExpired, path);
