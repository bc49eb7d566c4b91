using Akka.Configuration;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Coordinator.Tests.Runtime;

/// <summary>A replica that cannot trust its configuration or journal refuses to start, with one clear line.</summary>
[Trait("Category", "Persistence")]
[Collection(ReplicaCollection.Name)]
public sealed class StartupRefusalTests
{
    [Fact]
    public async Task A_config_naming_an_unknown_replica_is_refused()
    {
        await using var cluster = new InProcessCluster(3);
        var config = ConfigurationFactory.ParseString("coordinator.replica.id = 7").WithFallback(cluster.ConfigFor(1));

        var refusal = await Assert.ThrowsAsync<ReplicaStartException>(() => ReplicaHost.StartAsync(config, () => new KeyValueStateMachine()));

        Assert.Contains("coordinator.replica.id = 7 names no replica", refusal.Message);
    }

    [Fact]
    public async Task A_corrupt_journal_file_is_refused()
    {
        await using var cluster = new InProcessCluster(3);
        var file = Path.Combine(cluster.DataDirectory, "replica-1", "replica-1.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, [.. Enumerable.Repeat((byte)0x5A, 8192)]);

        var refusal = await Assert.ThrowsAsync<ReplicaStartException>(() => cluster.StartAsync(1));

        Assert.Contains("journal", refusal.Message);
        Assert.Contains("replica-1.db", refusal.Message);
    }

    [Fact]
    public async Task A_journal_event_that_cannot_be_read_is_refused_rather_than_skipped()
    {
        await using var cluster = new InProcessCluster(1);
        await cluster.StartAsync(1);
        await cluster.ProposeAsync(cluster.NextCommand("k", "v"));
        await cluster.KillAllAsync();
        SqliteConnection.ClearAllPools();
        var file = Path.Combine(cluster.DataDirectory, "replica-1", "replica-1.db");
        await using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            await connection.OpenAsync();
            await using var corrupt = connection.CreateCommand();
            corrupt.CommandText = "UPDATE journal SET message = x'0102030405'";
            Assert.True(await corrupt.ExecuteNonQueryAsync() > 0);
        }
        SqliteConnection.ClearAllPools();

        var refusal = await Assert.ThrowsAsync<ReplicaStartException>(() => cluster.StartAsync(1));

        Assert.Contains("could not read its journal", refusal.Message);
    }

    [Fact]
    public async Task A_database_that_is_down_is_refused()
    {
        var closedPort = FreePorts.Take(1)[0];
        await using var cluster = new InProcessCluster(3, storageFor: _ => $"""
            coordinator.storage.provider = postgres
            coordinator.storage.postgres-connection-string = "Host=127.0.0.1;Port={closedPort};Database=x;Username=postgres;Timeout=3"
            """);

        var refusal = await Assert.ThrowsAsync<ReplicaStartException>(() => cluster.StartAsync(1));

        Assert.Contains("journal database unavailable (PostgreSQL)", refusal.Message);
    }
}
