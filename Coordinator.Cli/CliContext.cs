using System.Text.Json;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>What every command needs: where the servers are, how to reach them (TLS), how long to wait, and how to print.</summary>
internal sealed record CliContext(
    IReadOnlyList<string> Servers,
    TimeSpan Timeout,
    TimeSpan SessionTimeout,
    bool Json,
    CoordinatorTlsOptions? Tls = null,
    string? ClusterId = null,
    CoordinatorCredentials? Credentials = null)
{
    public const string ServersVariable = "COORDINATOR_SERVERS";
    public const string DefaultServers = "127.0.0.1:4001,127.0.0.1:4002,127.0.0.1:4003";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    public Task<CoordinatorClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = new CoordinatorClientOptions
        {
            Servers = [.. Servers],
            ConnectTimeout = Timeout,
            SessionTimeout = SessionTimeout,
            RequestTimeout = TimeSpan.FromSeconds(Math.Max(1, Timeout.TotalSeconds / 4)),
            Tls = Tls,
            ExpectedClusterId = ClusterId,
            Credentials = Credentials,
        };
        return CoordinatorClient.ConnectAsync(options, cancellationToken);
    }

    /// <summary>Each server's report, asked through the same transport (TLS or not) the session would use.</summary>
    public Task<IReadOnlyList<ServerStatusReport>> StatusAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ClusterStatus.QueryAsync(new CoordinatorClientOptions { Servers = [.. Servers], Tls = Tls }, timeout, cancellationToken);

    /// <summary>Human text, or with --json one JSON object per line.</summary>
    public void Print(string human, object json) =>
        Console.WriteLine(Json ? JsonSerializer.Serialize(json, JsonOptions) : human);
}
