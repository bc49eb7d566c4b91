using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// Many small nodes (issue 23, at a size CI runs; <c>Coordinator.Bench --workload million-nodes</c> is the full size):
/// a replica down while they are created catches up by a chunked snapshot while the leader keeps serving, and every
/// replica restarted at once serves them again. Real processes, real SQLite files; snapshots every 50 slots, so the
/// journal below the lagging replica is gone before it comes back.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class ManyNodesTests(ITestOutputHelper output)
{
    private const int Parents = 100;
    private const int ChildrenPerParent = 1_000;
    private const int CreatesPerMulti = 500;
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_hundred_thousand_nodes_reach_a_replica_that_was_down_by_snapshot_and_survive_a_restart_of_every_replica()
    {
        using var cluster = ProcessCluster.Create("many-nodes", 3, "coordinator.replica.snapshot-interval = 50");
        var endpoints = cluster.Endpoints;
        var processes = endpoints.Keys.ToDictionary(id => id, id => cluster.Start(id));
        await using var replicas = new RemoteReplicaClient(endpoints);
        try
        {
            await using (var client = await ProcessClients.ConnectAsync([endpoints[1], endpoints[2]]))
            {
                await client.CreateAsync("/m", []);
                await MultiOnceAsync(client, [.. Enumerable.Range(0, Parents).Select(parent => Op.Create(Parent(parent), []))]);
                processes[3].Kill();
                var created = Stopwatch.StartNew();
                var batches = Enumerable.Range(0, Parents * ChildrenPerParent / CreatesPerMulti);
                await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 },
                    async (batch, _) => await MultiOnceAsync(client, [.. Enumerable.Range(batch * CreatesPerMulti, CreatesPerMulti).Select(Child)]));
                output.WriteLine($"{Parents * ChildrenPerParent} nodes created with replica 3 down in {created.Elapsed.TotalSeconds:F1} s");

                var leaderBefore = await replicas.LeaderAsync([1, 2], Within);
                processes[3] = cluster.Start(3);
                var caughtUp = Stopwatch.StartNew();
                var slowestWrite = TimeSpan.Zero;
                var writes = 0;
                ReplicaStatus? third = null;
                while (caughtUp.Elapsed < Within)
                {
                    var write = Stopwatch.StartNew();
                    await client.SetDataAsync("/m", BitConverter.GetBytes(++writes));
                    slowestWrite = write.Elapsed > slowestWrite ? write.Elapsed : slowestWrite;
                    third = await replicas.StatusAsync(3);
                    var leader = await replicas.StatusAsync(leaderBefore.ReplicaId);
                    if (third is { SnapshotsInstalled: > 0 } && leader is not null && third.AppliedBelow >= leader.AppliedBelow - 1)
                    {
                        break;
                    }
                    await Task.Delay(20);
                }
                output.WriteLine($"replica 3 caught up in {caughtUp.Elapsed.TotalSeconds:F1} s; {writes} writes meanwhile, the slowest {slowestWrite.TotalMilliseconds:F0} ms: {third}");
                Assert.NotNull(third);
                Assert.True(third.SnapshotsInstalled > 0, $"replica 3 did not install a snapshot: {third}");
                var leaderAfter = await replicas.LeaderAsync([1, 2, 3], Within);
                Assert.Equal((leaderBefore.ReplicaId, leaderBefore.Ballot), (leaderAfter.ReplicaId, leaderAfter.Ballot));
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
            await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
            {
                await client.SyncAsync();
                var serving = restarted.Elapsed;
                output.WriteLine($"serving again {serving.TotalSeconds:F1} s after the restart of every replica");
                foreach (var parent in new[] { 0, Parents / 2, Parents - 1 })
                {
                    Assert.Equal(ChildrenPerParent, (await client.GetChildrenAsync(Parent(parent))).Count);
                }
                Assert.Equal(Parents, (await client.GetChildrenAsync("/m")).Count);
                Assert.True(serving < TimeSpan.FromSeconds(30), $"not serving {serving.TotalSeconds:F1} s after the restart of every replica");
            }
        }
        finally
        {
            cluster.StopAll();
        }
    }

    private static string Parent(int parent) => $"/m/p{parent:D3}";

    private static Op Child(int node) => Op.Create($"{Parent(node / ChildrenPerParent)}/n{node % ChildrenPerParent:D4}", [(byte)node]);

    /// <summary>
    /// Runs the multi, trying again after a failure that may or may not have applied it: a multi is all or nothing,
    /// so NodeExists on a retry means an earlier try did.
    /// </summary>
    private static async Task MultiOnceAsync(CoordinatorClient client, IReadOnlyList<Op> ops)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await client.MultiAsync(ops);
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
}
