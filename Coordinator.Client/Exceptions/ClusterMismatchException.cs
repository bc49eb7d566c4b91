namespace Coordinator.Client;

/// <summary>
/// A server belongs to another cluster than <see cref="CoordinatorClientOptions.ExpectedClusterId"/>: the client
/// created no session and sent no request anywhere.
/// </summary>
public sealed class ClusterMismatchException(string server, string expected, string actual)
    : CoordinatorException(ErrorCode.ConnectionLoss, null,
        $"server {server} belongs to cluster {actual}, not to the expected cluster {expected}: check the server list", OperationOutcome.NotApplied)
{
    public string Server { get; } = server;

    public string ExpectedClusterId { get; } = expected;

    public string ActualClusterId { get; } = actual;
}
