using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class InvalidPathException(string? path = null) : CoordinatorException(ErrorCode.InvalidPath, path);
