using Coordinator.Client;
using Coordinator.Tests.Runtime;

namespace Coordinator.Tests.Client;

/// <summary>A real 3-replica cluster running the data tree, and clients connected to it.</summary>
internal sealed class ClientCluster : IAsyncDisposable
{
    private readonly List<CoordinatorClient> _clients = [];

    private ClientCluster(InProcessCluster cluster) => Cluster = cluster;

    public InProcessCluster Cluster { get; }

    public static async Task<ClientCluster> StartAsync(string extraHocon = "")
    {
        var cluster = new InProcessCluster(3, dataTree: true, extraHocon: extraHocon);
        await cluster.StartAllAsync();
        return new ClientCluster(cluster);
    }

    /// <param name="servers">Replica ids in the order the client should try them; all three when null.</param>
    public async Task<CoordinatorClient> ConnectAsync(int[]? servers = null, TimeSpan? sessionTimeout = null, TimeSpan? requestTimeout = null)
    {
        var options = new CoordinatorClientOptions
        {
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(6),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(20),
        };
        foreach (var id in servers ?? Cluster.Ids)
        {
            options.Servers.Add(Cluster.Endpoint(id));
        }
        var client = await CoordinatorClient.ConnectAsync(options);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await Cluster.DisposeAsync();
    }
}
