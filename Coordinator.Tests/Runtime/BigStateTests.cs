using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// Big state must not wedge the cluster (issue 15, finding 1): after 300 MB of 1 MB values a restart of every replica
/// made Promises of 48-93 MB that Akka.Remote dropped, so no leader was elected for minutes; a replica that fell
/// behind retried a snapshot too big for one frame forever and deposed the leader with its elections. Real processes,
/// real SQLite files, default snapshot and message limits.
/// </summary>
[Trait("Category", "Fault")]
[Collection(ReplicaCollection.Name)]
public sealed class BigStateTests(ITestOutputHelper output)
{
    private const int ValueBytes = 1_000_000;
    private const int Values = 300;
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Three_hundred_megabytes_of_values_neither_wedge_an_election_nor_keep_a_lagging_replica_out()
    {
        using var cluster = ProcessCluster.Create("big-state", 3);
        var endpoints = cluster.Endpoints;
        var processes = endpoints.Keys.ToDictionary(id => id, id => cluster.Start(id));
        await using var replicas = new RemoteReplicaClient(endpoints);
        try
        {
            await using (var client = await ProcessClients.ConnectAsync([endpoints[1], endpoints[2]]))
            {
                await client.CreateAsync("/big", []);
                processes[3].Kill();
                var written = Stopwatch.StartNew();
                await Parallel.ForEachAsync(Enumerable.Range(0, Values), new ParallelOptions { MaxDegreeOfParallelism = 4 },
                    async (i, _) => await CreateOnceAsync(client, $"/big/{i}", Value(i)));
                output.WriteLine($"{Values} x {ValueBytes} bytes written with replica 3 down in {written.Elapsed.TotalSeconds:F1} s");

                var leaderBefore = await replicas.LeaderAsync([1, 2], Within);
                processes[3] = cluster.Start(3);
                var caughtUp = Stopwatch.StartNew();
                var sequence = 0;
                ReplicaStatus? third = null;
                while (caughtUp.Elapsed < Within)
                {
                    await client.SetDataAsync("/big", BitConverter.GetBytes(++sequence)).ContinueWith(_ => { }, TaskScheduler.Default);
                    third = await replicas.StatusAsync(3);
                    var leader = await replicas.StatusAsync(leaderBefore.ReplicaId);
                    if (third is { SnapshotsInstalled: > 0 } && leader is not null && third.AppliedBelow >= leader.AppliedBelow - 1)
                    {
                        break;
                    }
                    await Task.Delay(50);
                }
                output.WriteLine($"replica 3 caught up in {caughtUp.Elapsed.TotalSeconds:F1} s, {sequence} writes meanwhile: {third}");
                Assert.NotNull(third);
                Assert.True(third.SnapshotsInstalled > 0, $"replica 3 did not install a snapshot: {third}");
                var leaderAfter = await replicas.LeaderAsync([1, 2, 3], Within);
                Assert.Equal((leaderBefore.ReplicaId, leaderBefore.Ballot), (leaderAfter.ReplicaId, leaderAfter.Ballot));
                Assert.Equal(0, third.OversizeMessagesRefused);
            }

            foreach (var process in processes.Values)
            {
                process.Kill();
            }
            var restarted = Stopwatch.StartNew();
            foreach (var id in endpoints.Keys)
            {
                processes[id] = cluster.Start(id);
            }
            var leaderAfterRestart = await replicas.LeaderAsync([1, 2, 3], Within);
            var electedIn = restarted.Elapsed;
            await WaitForLogAsync(processes.Values, "recovered: promised");
            output.WriteLine($"leader {leaderAfterRestart.ReplicaId} {electedIn.TotalSeconds:F1} s after the restart of every replica; all recovered after {restarted.Elapsed.TotalSeconds:F1} s");
            Assert.True(electedIn < TimeSpan.FromSeconds(5), $"no leader {electedIn.TotalSeconds:F1} s after the restart of every replica");

            await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
            {
                await client.SyncAsync();
                foreach (var i in new[] { 0, Values / 2, Values - 1 })
                {
                    Assert.Equal(Value(i), (await client.GetDataAsync($"/big/{i}")).Data);
                }
                Assert.Equal(Values, (await client.GetChildrenAsync("/big")).Count);
            }
        }
        finally
        {
            cluster.StopAll();
            // Shown only when the test fails: the elections and snapshots in every replica's log, restarts included.
            foreach (var log in Directory.GetFiles(cluster.Directory, "replica-*.log").Order())
            {
                var lines = File.ReadLines(log).Where(line => line.Contains(" leads ") || line.Contains("stepped down")
                    || line.Contains("napshot") || line.Contains("recovered") || line.Contains("ERROR"));
                output.WriteLine($"{Path.GetFileName(log)}:\n  {string.Join("\n  ", lines.TakeLast(40))}");
            }
        }
    }

    /// <summary>
    /// Creates the node, trying again after a failure that may or may not have applied it (a write waits out the
    /// journal while a replica stores a snapshot of hundreds of MB): NodeExists on a retry means an earlier try did.
    /// </summary>
    private static async Task CreateOnceAsync(CoordinatorClient client, string path, byte[] value)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.CreateAsync(path, value);
                return;
            }
            catch (NodeExistsException) when (attempt > 1)
            {
                return;
            }
            catch (CoordinatorException) when (attempt < 10)
            {
                await Task.Delay(100);
            }
        }
    }

    private static byte[] Value(int i)
    {
        var value = new byte[ValueBytes];
        Array.Fill(value, (byte)i);
        return value;
    }

    private static async Task WaitForLogAsync(IEnumerable<ReplicaProcess> processes, string line)
    {
        var deadline = Stopwatch.StartNew();
        while (!processes.All(process => process.Log().Contains(line)))
        {
            Assert.True(deadline.Elapsed < Within, $"not every replica logged '{line}' within {Within}");
            Assert.DoesNotContain(processes, process => process.HasExited);
            await Task.Delay(20);
        }
    }
}
