using System.Diagnostics;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>Three real replicas over Akka.Remote on 127.0.0.1 with SQLite journals.</summary>
[Trait("Category", "Cluster")]
[Collection(ReplicaCollection.Name)]
public sealed class ReplicaClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Submitted_commands_are_applied_identically_on_every_replica()
    {
        await using var cluster = new InProcessCluster(3);
        await cluster.StartAllAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            cluster.ProposeAsync(cluster.NextCommand($"k{i % 17}", $"v{i}", session: 100 + i))));
        await cluster.WaitConvergedAsync(Patience);

        Assert.All(responses, response => Assert.Equal(ProposeStatus.Applied, response.Status));
        var expected = cluster.Machines[1].Data;
        Assert.Equal(17, expected.Count);
        Assert.All(cluster.Ids, id => Assert.Equal(expected, cluster.Machines[id].Data));
        Assert.All(cluster.Ids, id => Assert.Equal(200, cluster.Machines[id].AppliedCommands));
    }

    [Fact]
    public async Task Stopping_the_leader_elects_another_and_commands_continue()
    {
        await using var cluster = new InProcessCluster(3);
        await cluster.StartAllAsync();
        await cluster.ProposeAsync(cluster.NextCommand("before", "1"));
        var leader = await cluster.WaitForLeaderAsync(Patience);

        var killedAt = Stopwatch.StartNew();
        await cluster.KillAsync(leader);
        await cluster.ProposeAsync(cluster.NextCommand("after", "2"));
        var failover = killedAt.Elapsed;
        var newLeader = await cluster.WaitForLeaderAsync(Patience);

        output.WriteLine($"failover: leader {leader} killed -> first command applied after {failover.TotalMilliseconds:F0} ms; new leader {newLeader}");
        Assert.NotEqual(leader, newLeader);
        await cluster.WaitConvergedAsync(Patience);
        Assert.All(cluster.Running, id => Assert.Equal("2", cluster.Machines[id].Data["after"]));
        Assert.All(cluster.Running, id => Assert.Equal("1", cluster.Machines[id].Data["before"]));
    }

    [Fact]
    public async Task A_replica_down_while_10000_slots_are_chosen_catches_up_through_a_snapshot()
    {
        await using var cluster = new InProcessCluster(3, extraHocon: """
            coordinator.replica.snapshot-interval = 1000
            coordinator.replica.max-batch-commands = 1
            coordinator.replica.pipeline-window = 32
            """);
        await cluster.StartAllAsync();
        await cluster.ProposeAsync(cluster.NextCommand("warm", "up"));
        var leader = await cluster.WaitForLeaderAsync(Patience);
        var lagging = cluster.Ids.First(id => id != leader);
        await cluster.KillAsync(lagging);

        var stopwatch = Stopwatch.StartNew();
        const int Writers = 32;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async writer =>
        {
            for (var i = writer; i < 10_000; i += Writers)
            {
                await cluster.ProposeAsync(cluster.NextCommand($"k{i}", $"v{i}", session: 100 + writer));
            }
        }));
        var status = await cluster.StatusAsync(leader);
        output.WriteLine($"10,000 single-command slots in {stopwatch.Elapsed.TotalSeconds:F1} s; leader applied below {status.AppliedBelow}, snapshot at {status.SnapshotBelow}");
        Assert.True(status.AppliedBelow >= 10_000);
        Assert.True(status.SnapshotBelow >= 1_000, "the leader should have snapshotted (and compacted) past the lagging replica");

        await cluster.StartAsync(lagging);
        var converged = await cluster.WaitConvergedAsync(TimeSpan.FromSeconds(60));

        var caughtUp = await cluster.StatusAsync(lagging);
        output.WriteLine($"replica {lagging} caught up to slot {converged} (snapshot at {caughtUp.SnapshotBelow}))");
        Assert.Equal(cluster.Machines[leader].Data, cluster.Machines[lagging].Data);
        Assert.Equal(10_001, cluster.Machines[lagging].Data.Count);
    }
}
