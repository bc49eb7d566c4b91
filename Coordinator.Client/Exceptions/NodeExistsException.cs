using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class NodeExistsException(string? path = null) : CoordinatorException(ErrorCode.NodeExists, path);
