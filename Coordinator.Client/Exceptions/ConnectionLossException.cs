namespace Coordinator.Client;

/// <summary>
/// No replica answered in time (every server had its turn). For a write the outcome is unknown: it may still be
/// applied, exactly once, because the client keeps resending it so that later writes stay in order.
/// </summary>
public sealed class ConnectionLossException(string message)
    : CoordinatorException(ErrorCode.ConnectionLoss, null, message, OperationOutcome.Unknown);
