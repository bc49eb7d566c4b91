namespace Coordinator.Client;

/// <summary>
/// A replica refused the request (for example too large, or too many in flight). Refused unrun, except
/// <see cref="RejectionReason.NoQuorum"/>: the gateway gave up waiting, but the leader may still choose the write.
/// </summary>
public sealed class RequestRejectedException(RejectionReason reason, string message)
    : CoordinatorException(
        ErrorCode.RequestRejected,
        null,
        $"Request rejected ({reason}): {message}",
        reason == RejectionReason.NoQuorum ? OperationOutcome.Unknown : OperationOutcome.NotApplied)
{
    public RejectionReason Reason { get; } = reason;
}
