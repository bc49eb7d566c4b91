using System.Text;
using Coordinator.Client;
using Coordinator.Faults.Cluster;
using Coordinator.Faults.Network;
using Coordinator.Faults.Workloads;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Faults;

/// <summary>
/// The fault harness's fallback for machines without network namespaces: three replica processes on loopback whose
/// transports blackhole what the harness names on their standard input. A cut must stop real traffic and a heal
/// must bring it back, both between replicas and between a replica and its clients.
/// </summary>
[Trait("Category", "Fault")]
[Collection(ReplicaCollection.Name)]
public sealed class TransportNetworkTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("coordinator-transport-network-").FullName;
    private readonly TransportNetwork _network = TransportNetwork.Create([1, 2, 3]);
    private readonly ReplicaCluster _cluster;

    public TransportNetworkTests()
    {
        _cluster = ReplicaCluster.Create(_network, [1, 2, 3], _directory, ServiceBinary.Path, unsafeLocalSync: false);
        _cluster.StartAll();
    }

    [Fact]
    public async Task Blackholes_cut_a_replica_off_from_its_peers_or_its_clients_until_healed()
    {
        await using var onOne = await WorkloadContext.PersistAsync("connecting to replica 1", Settle, token => ConnectAsync(1, token), CancellationToken.None);
        await using var onThree = await WorkloadContext.PersistAsync("connecting to replica 3", Settle, token => ConnectAsync(3, token), CancellationToken.None);
        await onOne.CreateAsync("/register", Data("0"));

        _cluster.Apply(Cut.FromClients(2));
        await Assert.ThrowsAsync<ConnectionLossException>(() => ConnectAsync(2, CancellationToken.None));
        await onOne.SetDataAsync("/register", Data("1"));

        _cluster.Apply(Cut.Between([3], [1, 2]));
        await Assert.ThrowsAsync<ConnectionLossException>(() => onThree.SetDataAsync("/register", Data("lost")));
        await onOne.SetDataAsync("/register", Data("2"));

        _cluster.Apply(Cut.None);
        await WorkloadContext.PersistAsync("writing through replica 3 after healing", Settle, token => onThree.SetDataAsync("/register", Data("3"), cancellationToken: token), CancellationToken.None);
        await using var onTwo = await WorkloadContext.PersistAsync("connecting to replica 2 after healing", Settle, token => ConnectAsync(2, token), CancellationToken.None);
        await onTwo.SyncAsync();
        Assert.Equal("3", Encoding.UTF8.GetString((await onTwo.GetDataAsync("/register")).Data));
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _network.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A client that may use only this replica, and gives up on it quickly.</summary>
    private Task<CoordinatorClient> ConnectAsync(int replica, CancellationToken cancellationToken) =>
        CoordinatorClient.ConnectAsync(new CoordinatorClientOptions
        {
            Servers = [_cluster.Endpoint(replica)],
            LocalHostname = _network.ClientHost,
            AkkaConfig = _network.ClientAkkaConfig,
            SessionTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }, cancellationToken);

    private static byte[] Data(string text) => Encoding.UTF8.GetBytes(text);
}
