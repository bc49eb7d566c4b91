using Coordinator.Core.Consensus;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// Issue 15 finding 5 with real replica processes: a Prepare with round long.MaxValue used to be promised and saved,
/// the next round wrapped negative, and no leader could win again, across restarts. Sent to every replica of a running
/// cluster, it is refused with a log line, no promise moves, and the cluster still elects a new leader and serves.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class ForgedBallotProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_prepare_with_a_huge_ballot_is_refused_and_the_cluster_still_elects_and_serves()
    {
        using var cluster = ProcessCluster.Create("forged-ballot", 3);
        var processes = cluster.Endpoints.Keys.ToDictionary(id => id, id => cluster.Start(id));
        await using var replicas = new RemoteReplicaClient(cluster.Endpoints);
        await using var client = await ProcessClients.ConnectAsync(cluster.Endpoints.Values);
        await client.CreateAsync("/before", [1]);

        foreach (var id in cluster.Endpoints.Keys)
        {
            replicas.Tell(id, new Prepare(2, new Ballot(long.MaxValue, 2), 0));
        }
        var deadline = DateTime.UtcNow + Within;
        while (!processes.Values.All(process => process.Log().Contains("Ignored Prepare from replica 2")))
        {
            Assert.True(DateTime.UtcNow < deadline, "not every replica logged the refusal");
            await Task.Delay(50);
        }
        foreach (var id in cluster.Endpoints.Keys)
        {
            var status = await replicas.StatusAsync(id);
            Assert.NotNull(status);
            Assert.True(status.Promised.Round < Ballot.MaxRound, $"replica {id} promised {status.Promised}");
        }

        var leader = await replicas.LeaderAsync(cluster.Endpoints.Keys, Within);
        processes[leader.ReplicaId].Kill();
        var next = await replicas.LeaderAsync(cluster.Endpoints.Keys.Where(id => id != leader.ReplicaId), Within);
        output.WriteLine($"replica {leader.ReplicaId} led with {leader.Ballot}; after its kill replica {next.ReplicaId} leads with {next.Ballot}");
        Assert.True(next.Ballot > leader.Ballot);
        await client.CreateAsync("/after", [2]);
        Assert.Equal([1], (await client.GetDataAsync("/before")).Data);
    }
}
