using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// Maps an error code the cluster answered to the exception a caller catches. The state machine applies a command
/// all or nothing, so an error code means nothing changed - except StaleSequence, which answers a resend of a command
/// the session has already moved past.
/// </summary>
internal static class Errors
{
    /// <summary>
    /// The exception for a command's result; a reason the cluster gave goes into its message. The cluster gives
    /// reasons with BadArguments, which has no exception type of its own.
    /// </summary>
    public static CoordinatorException For(OpResult result, string? path) => result switch
    {
        ErrorResult { Error: ErrorCode.AuthFailed, Reason: { } reason } => new AuthFailedException(reason),
        ErrorResult { Error: ErrorCode.InvalidAcl, Reason: { } reason } => new InvalidAclException(path, reason),
        ErrorResult { Reason: { } reason } error => new CoordinatorException(error.Code, path, reason),
        MultiErrorResult { Reason: { } reason } error => new CoordinatorException(error.Code, path, reason),
        _ => For(result.Code, path),
    };

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
        ErrorCode.NoAuth => new NoAuthException(path),
        ErrorCode.AuthFailed => new AuthFailedException(),
        ErrorCode.InvalidAcl => new InvalidAclException(path),
        ErrorCode.StaleSequence => new CoordinatorException(code, path) { Outcome = OperationOutcome.Unknown },
        _ => new CoordinatorException(code, path),
    };
}
