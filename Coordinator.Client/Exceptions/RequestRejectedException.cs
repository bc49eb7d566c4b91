namespace Coordinator.Client;

/// <summary>A replica refused the request before running it (for example too large, or too many in flight).</summary>
public sealed class RequestRejectedException(RejectionReason reason, string message)
    : Exception($"Request rejected ({reason}): {message}")
{
    public RejectionReason Reason { get; } = reason;
}
