using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class NoChildrenForEphemeralsException(string? path = null) : CoordinatorException(ErrorCode.NoChildrenForEphemerals, path);
