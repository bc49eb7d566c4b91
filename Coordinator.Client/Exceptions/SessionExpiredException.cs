namespace Coordinator.Client;

/// <summary>
/// The session ended (expired or closed), so its ephemerals and locks are gone. Always
/// <see cref="OperationOutcome.Unknown"/> for a write: the write may have been applied just before the end, and a
/// resend after failover meets only the ended session.
/// </summary>
public sealed class SessionExpiredException(string? path = null)
    : CoordinatorException(
        ErrorCode.SessionExpired,
        path,
        path is null ? "The session has expired or was closed." : $"SessionExpired: {path}",
        OperationOutcome.Unknown);
