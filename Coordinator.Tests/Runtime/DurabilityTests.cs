using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Runtime;

/// <summary>DESIGN §4 invariant 4: an acknowledged write survives the crash of every replica at once.</summary>
[Trait("Category", "Persistence")]
[Collection(PostgresCollection.Name)]
public sealed class DurabilityTests(PostgresServer postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("sqlite-native")]
    [InlineData("sql")]
    public Task Restarting_every_replica_from_sqlite_keeps_every_acknowledged_command(string journal) =>
        AssertSurvivesFullRestart(new InProcessCluster(
            3,
            storageFor: _ => $"""
                coordinator.storage.provider = sqlite
                coordinator.storage.journal = {journal}
                """,
            extraHocon: "coordinator.replica.snapshot-interval = 7"));

    [Fact]
    public async Task Restarting_every_replica_from_postgres_keeps_every_acknowledged_command()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var databases = new Dictionary<int, string>();
        foreach (var id in new[] { 1, 2, 3 })
        {
            databases[id] = await postgres.CreateDatabaseAsync($"durability_{suffix}_{id}");
        }
        await AssertSurvivesFullRestart(new InProcessCluster(
            3,
            storageFor: id => $"""
                coordinator.storage.provider = postgres
                coordinator.storage.postgres-connection-string = "{databases[id]}"
                """,
            extraHocon: "coordinator.replica.snapshot-interval = 7"));
    }

    private static async Task AssertSurvivesFullRestart(InProcessCluster cluster)
    {
        await using (cluster)
        {
            await cluster.StartAllAsync();
            // Four sessions write at once so slots pipeline and deliveries queue behind journal writes while
            // snapshots are taken: the state a snapshot holds must match the slot it is labelled with.
            var acknowledged = new List<string>();
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
            {
                for (var i = writer; i < 200; i += 4)
                {
                    var response = await cluster.ProposeAsync(cluster.NextCommand($"k{i}", $"v{i}", session: 10 + writer));
                    Assert.Equal(ProposeStatus.Applied, response.Status);
                    lock (acknowledged)
                    {
                        acknowledged.Add($"k{i}");
                    }
                }
            }));

            await cluster.KillAllAsync();
            await cluster.StartAllAsync();
            // A fresh command proves a leader exists again; waiting for it to apply everywhere proves recovery.
            await cluster.ProposeAsync(cluster.NextCommand("after-restart", "1"));
            await cluster.WaitConvergedAsync(Patience);

            foreach (var id in cluster.Ids)
            {
                var data = cluster.Machines[id].Data;
                Assert.All(acknowledged, key => Assert.Equal($"v{key[1..]}", data[key]));
                Assert.Equal(cluster.Machines[1].Data, data);
            }
        }
    }
}
