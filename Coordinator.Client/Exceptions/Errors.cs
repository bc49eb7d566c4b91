using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>Maps an error code to the exception a caller catches.</summary>
internal static class Errors
{
    public static CoordinatorException For(ErrorCode code, string? path) => code switch
    {
        ErrorCode.NoNode => new NoNodeException(path),
        ErrorCode.NodeExists => new NodeExistsException(path),
        ErrorCode.BadVersion => new BadVersionException(path),
        ErrorCode.NotEmpty => new NotEmptyException(path),
        ErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path),
        ErrorCode.InvalidPath => new InvalidPathException(path),
        ErrorCode.DataTooLarge => new DataTooLargeException(path),
        ErrorCode.SessionExpired => new SessionExpiredException(path),
        ErrorCode.NotLockHolder => new NotLockHolderException(path),
        ErrorCode.LockBusy => new LockBusyException(path),
        ErrorCode.StaleToken => new StaleTokenException(path),
        _ => new CoordinatorException(code, path),
    };
}
