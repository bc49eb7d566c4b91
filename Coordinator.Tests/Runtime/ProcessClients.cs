using Coordinator.Client;

namespace Coordinator.Tests.Runtime;

/// <summary>Clients of replica processes in tests: through the gateways like any application, with room for a first election.</summary>
internal static class ProcessClients
{
    public static Task<CoordinatorClient> ConnectAsync(IEnumerable<string> servers)
    {
        var options = new CoordinatorClientOptions
        {
            SessionTimeout = TimeSpan.FromSeconds(30),
            RequestTimeout = TimeSpan.FromSeconds(3),
            ConnectTimeout = TimeSpan.FromSeconds(60),
        };
        foreach (var server in servers)
        {
            options.Servers.Add(server);
        }
        return CoordinatorClient.ConnectAsync(options);
    }
}
