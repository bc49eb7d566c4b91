using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class StaleTokenException(string? path = null) : CoordinatorException(ErrorCode.StaleToken, path);
