using System.Text;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;

namespace Coordinator.Tests.Operations;

/// <summary>
/// A restore seeds the replica's snapshot store through Akka.Persistence.Sql, so it works on PostgreSQL as on SQLite:
/// a backup of a SQLite replica restores into a PostgreSQL one, and a second start with the same --restore starts it
/// from its journal.
/// </summary>
[Trait("Category", "Operations")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresRestoreTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_backup_of_a_sqlite_replica_restores_into_a_postgres_replica()
    {
        using var source = ProcessCluster.Create("pg-restore-source", 1).StartAll();
        var backup = Path.Combine(source.Directory, "backup.snap");
        await using (var client = await ProcessClients.ConnectAsync(source.Endpoints.Values))
        {
            await client.CreateAsync("/config/app", Encoding.UTF8.GetBytes("color=blue"), createParents: true);
        }
        Assert.Equal(0, (await CliProcess.RunAsync(source.Servers, "snapshot", "save", backup)).ExitCode);
        source.StopAll();

        var database = await postgres.CreateDatabaseAsync($"restore_{Guid.NewGuid():N}"[..24]);
        using var restored = ProcessCluster.Create("pg-restore-target", 1, $"""
            coordinator.storage.provider = postgres
            coordinator.storage.postgres-connection-string = "{database}"
            """);
        var first = restored.Start(1, "--restore", backup);
        await using (var client = await ProcessClients.ConnectAsync(restored.Endpoints.Values))
        {
            Assert.Equal("color=blue", Encoding.UTF8.GetString((await client.GetDataAsync("/config/app")).Data));
            await client.SetDataAsync("/config/app", Encoding.UTF8.GetBytes("color=green"));
        }
        Assert.Contains("restored from", first.Log());

        restored.StopAll();
        var second = restored.Start(1, "--restore", backup);
        await using (var client = await ProcessClients.ConnectAsync(restored.Endpoints.Values))
        {
            Assert.Equal("color=green", Encoding.UTF8.GetString((await client.GetDataAsync("/config/app")).Data));
        }
        Assert.Contains("was restored from", second.Log());
        Assert.NotEqual(ClusterBackup.Inspect(backup).ClusterId, File.ReadAllText(Path.Combine(restored.DataDirectory, "replica-1.identity")).Split("cluster-id = ")[1].Trim());
    }
}
