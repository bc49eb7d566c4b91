using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;

namespace Coordinator.Tests.Security;

/// <summary>Issue 19, cluster identity: a client that expects one cluster's id refuses another cluster's servers.</summary>
[Trait("Category", "Security")]
[Collection(ReplicaCollection.Name)]
public sealed class ClusterIdentityTests
{
    [Fact]
    public async Task A_client_expecting_cluster_A_refuses_cluster_B_and_creates_no_session_there()
    {
        await using var a = new InProcessCluster(1, dataTree: true);
        await using var b = new InProcessCluster(1, dataTree: true);
        await a.StartAllAsync();
        await b.StartAllAsync();
        var idA = a.Hosts[1]!.ClusterId;
        Assert.NotEqual(idA, b.Hosts[1]!.ClusterId);

        var refused = await Assert.ThrowsAsync<ClusterMismatchException>(() => CoordinatorClient.ConnectAsync(Options(b.Endpoint(1), idA)));
        Assert.Equal(b.Hosts[1]!.ClusterId, refused.ActualClusterId);
        Assert.Contains(b.Endpoint(1), refused.Message);
        var statusOfB = await ClusterStatus.QueryAsync([b.Endpoint(1)], TimeSpan.FromSeconds(5));
        Assert.Equal(0, statusOfB[0].AttachedSessions);

        await using var client = await CoordinatorClient.ConnectAsync(Options(a.Endpoint(1), idA));
        await client.CreateAsync("/of-a", [1]);
    }

    [Fact]
    public async Task Coord_over_TLS_shows_the_cluster_id_and_refuses_a_cluster_id_it_was_not_given()
    {
        await using var cluster = await TlsCluster.StartAsync(script: true);
        var servers = string.Join(',', cluster.Servers);
        string[] tls = ["--tls-ca", cluster.CaPath, "--tls-cert", cluster.ClientCertificate, "--tls-key", cluster.ClientKey];
        var id = cluster.Cluster.Hosts[1]!.ClusterId;

        var status = await CliProcess.RunAsync(servers, [.. tls, "status"]);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.Equal(3, status.Output.Split('\n').Count(line => line.Contains($"cluster {id}")));

        var wrong = await CliProcess.RunAsync(servers, [.. tls, "--cluster-id", "0123456789abcdef", "create", "/x", "1"]);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains($"belongs to cluster {id}", wrong.Error);

        var right = await CliProcess.RunAsync(servers, [.. tls, "--cluster-id", id, "create", "/x", "1"]);
        Assert.True(right.ExitCode == 0, right.Error);

        var plain = await CliProcess.RunAsync(servers, "--timeout", "3", "status");
        Assert.NotEqual(0, plain.ExitCode);
    }

    private static CoordinatorClientOptions Options(string server, string expected) => new()
    {
        Servers = [server],
        ExpectedClusterId = expected,
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };
}
