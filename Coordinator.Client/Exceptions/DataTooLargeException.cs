using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class DataTooLargeException(string? path = null) : CoordinatorException(ErrorCode.DataTooLarge, path);
