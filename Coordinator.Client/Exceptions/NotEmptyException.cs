using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class NotEmptyException(string? path = null) : CoordinatorException(ErrorCode.NotEmpty, path);
