using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class BadVersionException(string? path = null) : CoordinatorException(ErrorCode.BadVersion, path);
