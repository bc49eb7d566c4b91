using Coordinator.Client;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// A replica that lost its journal must not come back blank and vote: with one replica down, a write acknowledged by
/// the other two lives only in their journals, and a blank third would form a majority without it. Real processes,
/// real SQLite files, SIGKILL.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class AmnesiaTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("deleted")]
    [InlineData("truncated")]
    public async Task A_replica_whose_journal_was_lost_refuses_to_start_and_the_acknowledged_write_survives(string loss)
    {
        using var directory = new TempDirectory("amnesia");
        var endpoints = Endpoints(3);
        var configPath = await WriteConfigAsync(directory.Path, endpoints);
        var processes = endpoints.Keys.ToDictionary(id => id, id => ReplicaProcess.Start(configPath, id, directory.Path));
        try
        {
            await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
            {
                processes[2].Kill();
                await client.CreateAsync("/acknowledged", [7]);
                output.WriteLine("'/acknowledged' created with replica 2 down: its only votes are in the journals of 1 and 3");
            }
            processes[3].Kill();
            var journal = Path.Combine(directory.Path, "data", "replica-3.db");
            LoseJournal(journal, loss);
            processes[1].Kill();

            processes[2] = ReplicaProcess.Start(configPath, 2, directory.Path);
            processes[3] = ReplicaProcess.Start(configPath, 3, directory.Path);
            await processes[3].WaitForExitAsync(Within);

            Assert.NotEqual(0, processes[3].ExitCode);
            Assert.Contains("replica 3 refuses to start: it has run before", processes[3].Log());
            processes[1] = ReplicaProcess.Start(configPath, 1, directory.Path);
            await using (var client = await ProcessClients.ConnectAsync([endpoints[1], endpoints[2]]))
            {
                await client.SyncAsync();
                Assert.Equal([7], (await client.GetDataAsync("/acknowledged")).Data);
            }
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// The snapshots sit in a directory of their own beside the journal: losing it alone, after the journal was
    /// compacted below its snapshot, loses the state and the promises that snapshot held.
    /// </summary>
    [Fact]
    public async Task A_replica_whose_snapshot_file_was_lost_after_compaction_refuses_to_start()
    {
        using var directory = new TempDirectory("snapshots-lost");
        var endpoints = Endpoints(3);
        var configPath = await WriteConfigAsync(directory.Path, endpoints, "coordinator.replica.snapshot-interval = 5");
        var processes = endpoints.Keys.ToDictionary(id => id, id => ReplicaProcess.Start(configPath, id, directory.Path));
        try
        {
            await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
            {
                for (var i = 0; i < 20 && !processes[3].Log().Contains("journal compacted"); i++)
                {
                    await client.CreateAsync($"/n{i}", [1]);
                }
            }
            // The replica logs the compaction when it asks the journal for it: wait until the journal has done it.
            var journal = Path.Combine(directory.Path, "data", "replica-3.db");
            var deadline = DateTime.UtcNow + Within;
            while (JournalLowest(journal) <= 1 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            processes[3].Kill();
            Assert.True(JournalLowest(journal) > 1, "replica 3's journal was never compacted");
            var snapshots = Path.Combine(directory.Path, "data", "replica-3.snapshots");
            Assert.NotEmpty(Directory.GetFiles(snapshots, "snapshot-*", SearchOption.AllDirectories));
            Directory.Delete(snapshots, recursive: true);

            processes[3] = ReplicaProcess.Start(configPath, 3, directory.Path);
            await processes[3].WaitForExitAsync(Within);

            Assert.NotEqual(0, processes[3].ExitCode);
            Assert.Contains("no snapshot reaches back to it", processes[3].Log());
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                process.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_second_process_with_the_same_id_refuses_to_start()
    {
        using var directory = new TempDirectory("twins");
        var endpoints = Endpoints(1);
        var configPath = await WriteConfigAsync(directory.Path, endpoints);
        using var first = ReplicaProcess.Start(configPath, 1, directory.Path);
        await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
        {
            await client.CreateAsync("/first", []);
        }

        using var twin = ReplicaProcess.Start(configPath, 1, directory.Path);
        await twin.WaitForExitAsync(Within);

        Assert.NotEqual(0, twin.ExitCode);
        Assert.Contains("replica 1 is already running", twin.Log());
        Assert.False(first.HasExited);
    }

    [Fact]
    public async Task A_replica_on_a_port_that_is_taken_refuses_to_start()
    {
        using var directory = new TempDirectory("port-taken");
        var endpoints = Endpoints(1);
        using var first = ReplicaProcess.Start(await WriteConfigAsync(directory.Path, endpoints), 1, directory.Path);
        var otherDirectory = Path.Combine(directory.Path, "other");
        Directory.CreateDirectory(otherDirectory);
        var otherConfig = await WriteConfigAsync(otherDirectory, endpoints);
        await WaitUntilListeningAsync(first);

        using var second = ReplicaProcess.Start(otherConfig, 1, otherDirectory);
        await second.WaitForExitAsync(Within);

        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("could not open", second.Log());
        Assert.False(first.HasExited);
    }

    private static long JournalLowest(string journal)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var lowest = connection.CreateCommand();
        lowest.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'journal'";
        if (Convert.ToInt64(lowest.ExecuteScalar()) == 0)
        {
            return 0;
        }
        lowest.CommandText = $"SELECT coalesce(min(sequence_number), 0) FROM journal WHERE persistence_id = '{ReplicaActor.PersistenceIdOf(3)}'";
        return Convert.ToInt64(lowest.ExecuteScalar());
    }

    private static void LoseJournal(string journal, string loss)
    {
        Assert.True(File.Exists(journal), $"{journal} should exist");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var sidecar in new[] { journal + "-wal", journal + "-shm" })
        {
            File.Delete(sidecar);
        }
        if (loss == "deleted")
        {
            File.Delete(journal);
        }
        else
        {
            File.WriteAllBytes(journal, []);
        }
    }

    private static async Task WaitUntilListeningAsync(ReplicaProcess process)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!process.Log().Contains("replica running") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private static Dictionary<int, string> Endpoints(int replicas)
    {
        var ports = FreePorts.Take(replicas);
        return Enumerable.Range(1, replicas).ToDictionary(id => id, id => $"127.0.0.1:{ports[id - 1]}");
    }

    private static async Task<string> WriteConfigAsync(string directory, Dictionary<int, string> endpoints, string extraHocon = "")
    {
        var configPath = Path.Combine(directory, "cluster.conf");
        await File.WriteAllTextAsync(configPath, $$"""
            coordinator {
              replica.data-dir = "{{directory}}/data"
              replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
            }
            {{extraHocon}}
            """);
        return configPath;
    }
}
