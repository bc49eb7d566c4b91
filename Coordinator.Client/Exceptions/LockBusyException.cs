using Coordinator.Core.Protocol;

namespace Coordinator.Client;

public sealed class LockBusyException(string? path = null) : CoordinatorException(ErrorCode.LockBusy, path);
