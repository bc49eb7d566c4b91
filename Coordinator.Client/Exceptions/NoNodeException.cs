using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class NoNodeException(string? path = null) : CoordinatorException(ErrorCode.NoNode, path);
