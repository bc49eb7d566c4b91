using Coordinator.Client;
using Coordinator.Faults.Cluster;
using Coordinator.Faults.Faults;
using Coordinator.Faults.Network;
using Coordinator.Faults.Workloads;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Faults;

/// <summary>
/// The wipe fault on real replica processes, and the control that shows its check is not vacuous: a replica whose
/// journal is lost but whose identity file stays must refuse to start; with the identity file deleted too it is
/// indistinguishable from a new replica, starts blank, and the same check must say so.
/// </summary>
[Trait("Category", "Fault")]
[Collection(ReplicaCollection.Name)]
public sealed class WipeFaultTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("coordinator-wipe-fault-").FullName;
    private readonly TransportNetwork _network = TransportNetwork.Create([1, 2, 3]);
    private readonly ReplicaCluster _cluster;

    public WipeFaultTests()
    {
        _cluster = ReplicaCluster.Create(_network, [1, 2, 3], _directory, ServiceBinary.Path, unsafeLocalSync: false);
        _cluster.StartAll();
    }

    [Fact]
    public async Task A_wiped_replica_refuses_to_start_and_one_wiped_with_its_identity_starts_blank()
    {
        await using (var client = await WorkloadContext.PersistAsync("connecting", Settle, ConnectAsync, CancellationToken.None))
        {
            // A replica writes its identity file before its first vote or caught-up entry is durable.
            await WorkloadContext.PersistAsync("writing", Settle, token => client.CreateAsync("/written", [1], cancellationToken: token), CancellationToken.None);
        }
        await WaitForIdentitiesAsync();

        var log = new List<string>();
        var refused = await WipeFault.RunAsync(_cluster, 2, WipeMethod.Truncate, log.Add);
        Assert.True(refused.Refused, refused.Explanation);
        Assert.Contains(WipeCheck.RefusalLine, refused.Explanation);
        Assert.False(_cluster[2].Running);
        Assert.Contains(2, _cluster.Retired);

        var blank = await WipeFault.RunAsync(_cluster, 3, WipeMethod.Delete, log.Add, identityToo: true);
        Assert.False(blank.Refused, blank.Explanation);
        Assert.Contains("started blank", blank.Explanation);
        Assert.False(_cluster[3].Running);

        _cluster.Heal();
        Assert.True(_cluster[1].Running);
        Assert.False(_cluster[2].Running || _cluster[3].Running);
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _network.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task WaitForIdentitiesAsync()
    {
        var deadline = DateTime.UtcNow + Settle;
        while (!_cluster.Ids.All(id => File.Exists(JournalWipe.IdentityPath(_cluster[id].DataDirectory, id))))
        {
            Assert.True(DateTime.UtcNow < deadline, "not every replica wrote its identity file");
            await Task.Delay(100);
        }
    }

    private Task<CoordinatorClient> ConnectAsync(CancellationToken cancellationToken) =>
        CoordinatorClient.ConnectAsync(new CoordinatorClientOptions
        {
            Servers = [.. _cluster.Ids.Select(_cluster.Endpoint)],
            LocalHostname = _network.ClientHost,
            AkkaConfig = _network.ClientAkkaConfig,
            SessionTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }, cancellationToken);
}
