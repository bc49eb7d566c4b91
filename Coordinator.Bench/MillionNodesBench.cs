using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>million-nodes</c>: with one follower down, <c>--clients</c> (default 16) sessions create <c>--nodes</c> (default
/// 1,000,000) nodes of 10 bytes under 1,000 parents, in multis of 500, and writes on until the leader has saved a
/// snapshot. The follower then comes back and catches up (by a chunked snapshot: the journal below it is gone) while
/// one client writes to the cluster; then every replica is killed and restarted. Reports the create rate, the leader's
/// managed heap per node beyond its data (after a full collection, when dotnet-gcdump is installed), whether the
/// leader changed while creating, the catch-up time with the write latencies during it and whether the leader changed
/// then, and the time from restarting every replica until a sync succeeds again.
/// </summary>
internal static class MillionNodesBench
{
    private const string Root = "/mn";
    private const int Parents = 1_000;
    private const int CreatesPerMulti = 500;
    private const int DataBytes = 10;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    public static int Run(string[] args)
    {
        var parsed = BenchOptions.Parse("million-nodes", args, defaultClients: 16);
        // The replicas log at INFO: a snapshot install is told only there.
        var options = parsed with { ReplicaHocon = parsed.ReplicaHocon + "\nakka.loglevel = INFO" };
        var nodes = int.Parse(Program.ArgValue(args, "--nodes") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture);
        return RunAsync(options, nodes).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(BenchOptions options, int nodes)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        var leader = await cluster.LeaderIndexAsync();
        var follower = (leader + 1) % cluster.Endpoints.Count;
        var createSeconds = 0.0;
        var writes = new LatencyRecorder();
        long? heapBefore, heapAfter;
        TimeSpan caughtUpIn;
        bool leaderKept, bySnapshot, leaderKeptCreating;
        int fillerWrites;
        await using (var clients = await BenchClients.ConnectAsync(cluster, options.Clients, pinned: false))
        {
            var first = clients.Clients[0];
            await first.CreateAsync(Root, []);
            for (var parent = 0; parent < Parents; parent += CreatesPerMulti)
            {
                await first.MultiAsync(Enumerable.Range(parent, Math.Min(CreatesPerMulti, Parents - parent)).Select(p => Op.Create(Parent(p), [])));
            }
            heapBefore = await cluster.ManagedHeapBytesAsync(leader);
            var ballotAtStart = await BallotAsync(cluster, leader);
            cluster.Kill(follower);
            await cluster.WaitForExitAsync(follower);

            var batches = nodes / CreatesPerMulti;
            var next = -1;
            var creating = Stopwatch.StartNew();
            await Task.WhenAll(clients.Clients.Select(async client =>
            {
                for (var batch = Interlocked.Increment(ref next); batch < batches; batch = Interlocked.Increment(ref next))
                {
                    await MultiOnceAsync(client, [.. Enumerable.Range(batch * CreatesPerMulti, CreatesPerMulti).Select(Child)]);
                }
            }));
            createSeconds = creating.Elapsed.TotalSeconds;
            heapAfter = await cluster.ManagedHeapBytesAsync(leader);
            leader = await cluster.LeaderIndexAsync();
            var ballotBefore = await BallotAsync(cluster, leader);
            leaderKeptCreating = ballotBefore == ballotAtStart;
            fillerWrites = await UntilLeaderCompactsAsync(cluster, leader, first);
            cluster.Restart(follower);
            var catchingUp = Stopwatch.StartNew();
            var sequence = 0;
            while (!await CaughtUpAsync(cluster, leader, follower))
            {
                if (catchingUp.Elapsed > Patience)
                {
                    throw new TimeoutException($"replica {follower + 1} did not catch up within {Patience}");
                }
                var write = Stopwatch.StartNew();
                await first.SetDataAsync(Root, BitConverter.GetBytes(++sequence));
                writes.Record(write.Elapsed);
            }
            caughtUpIn = catchingUp.Elapsed;
            leaderKept = await cluster.LeaderIndexAsync() == leader && await BallotAsync(cluster, leader) == ballotBefore;
            bySnapshot = cluster.LogContains(follower, "Installed a peer's snapshot");
        }

        for (var replica = 0; replica < cluster.Endpoints.Count; replica++)
        {
            cluster.Kill(replica);
            await cluster.WaitForExitAsync(replica);
        }
        var restarting = Stopwatch.StartNew();
        for (var replica = 0; replica < cluster.Endpoints.Count; replica++)
        {
            cluster.Restart(replica);
        }
        int childrenRead;
        await using (var client = await CoordinatorClient.ConnectAsync(new CoordinatorClientOptions { Servers = [.. cluster.Endpoints], ConnectTimeout = Patience }))
        {
            await client.SyncAsync();
            childrenRead = (await client.GetChildrenAsync(Parent(0))).Count;
        }
        var servingIn = restarting.Elapsed;

        var report = new BenchReport(options, new LoopResult(writes, 0), caughtUpIn.TotalSeconds)
            .Add("nodes", nodes)
            .Add("create_s", createSeconds)
            .Add("creates_per_sec", nodes / createSeconds)
            .Add("catch_up_s", caughtUpIn.TotalSeconds)
            .Add("filler_writes_until_compacted", fillerWrites)
            .Add("caught_up_by_snapshot", bySnapshot)
            .Add("leader_kept_creating", leaderKeptCreating)
            .Add("leader_kept", leaderKept)
            .Add("serving_after_full_restart_s", servingIn.TotalSeconds)
            .Add("children_of_first_parent", childrenRead);
        if (heapBefore is { } before && heapAfter is { } after)
        {
            report.Add("leader_heap_bytes_per_node_beyond_data", (after - before) / (double)nodes - DataBytes);
        }
        report.Publish(options);
        return 0;
    }

    /// <summary>
    /// Writes to the root until the leader has saved a snapshot (every slot the follower missed below it is then gone
    /// from its journal, so the follower can only catch up by a snapshot); returns the writes it took.
    /// </summary>
    private static async Task<int> UntilLeaderCompactsAsync(ProcessCluster cluster, int leader, CoordinatorClient client)
    {
        var waiting = Stopwatch.StartNew();
        var writes = 0;
        while (!cluster.LogContains(leader, "journal compacted up to event"))
        {
            if (waiting.Elapsed > Patience)
            {
                throw new TimeoutException($"replica {leader + 1} saved no snapshot within {Patience}");
            }
            for (var burst = 0; burst < 100; burst++, writes++)
            {
                await client.SetDataAsync(Root, BitConverter.GetBytes(writes));
            }
        }
        return writes;
    }

    private static string Parent(int parent) => $"{Root}/p{parent:D4}";

    private static Op Child(int node) => Op.Create($"{Parent(node % Parents)}/n{node / Parents:D7}", new byte[DataBytes]);

    private static async Task<string> BallotAsync(ProcessCluster cluster, int replica) =>
        (await ClusterStatus.QueryAsync([cluster.Endpoints[replica]], TimeSpan.FromSeconds(2)))[0].Ballot;

    private static async Task<bool> CaughtUpAsync(ProcessCluster cluster, int leader, int follower)
    {
        var reports = await ClusterStatus.QueryAsync([cluster.Endpoints[leader], cluster.Endpoints[follower]], TimeSpan.FromSeconds(2));
        return reports.All(report => report.Reachable) && reports[1].AppliedBelow >= reports[0].AppliedBelow - 1;
    }

    /// <summary>A multi is all or nothing: NodeExists on a retry means an earlier try applied it.</summary>
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
            catch (Exception failure) when (ClosedLoop.IsRequestFailure(failure) && attempt < 10)
            {
                await Task.Delay(100);
            }
        }
    }
}
