using System.Collections.Concurrent;
using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>failover</c>: 16 clients create unique nodes; 8 s into the measured window the leader's process is SIGKILLed.
/// Reports, per client, the time from the kill to its first successful create issued after it (first, median, last
/// client), when the cluster was back to half the pre-kill create rate, and, read through the survivors, how many
/// acknowledged creates are missing (<c>lost</c>, which must be 0).
/// </summary>
internal static class FailoverBench
{
    private const string Root = "/bench-failover";
    private static readonly TimeSpan KillAt = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan RateBucket = TimeSpan.FromMilliseconds(100);

    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse("failover", args, defaultClients: 16);
        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(BenchOptions options)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var clients = await BenchClients.ConnectAsync(cluster, options.Clients, pinned: false);
        await clients.Clients[0].CreateAsync(Root, []);

        var clock = Stopwatch.StartNew();
        var killedAt = options.Warmup + KillAt;
        var acknowledged = new ConcurrentBag<string>();
        var completions = new ConcurrentBag<TimeSpan>();
        var firstAfterKill = new TimeSpan?[clients.Clients.Count];
        var leader = -1;
        var killer = Task.Run(async () =>
        {
            await Task.Delay(killedAt - clock.Elapsed);
            leader = await cluster.LeaderIndexAsync();
            cluster.Kill(leader);
            return clock.Elapsed;
        });
        var loop = await ClosedLoop.RunAsync(options.Clients, options, async (index, _) =>
        {
            var client = clients.Clients[index];
            var issued = clock.Elapsed;
            var path = await client.CreateAsync($"{Root}/c{index:D3}-", BenchClients.Value, NodeKind.PersistentSequential);
            var completed = clock.Elapsed;
            acknowledged.Add(path);
            completions.Add(completed);
            if (killer.IsCompleted && issued >= killer.Result && firstAfterKill[index] is null)
            {
                firstAfterKill[index] = completed - killer.Result;
            }
        });
        var kill = await killer;

        var survivor = clients.Clients.First(client => client.State is ConnectionState.Connected or ConnectionState.Reconnected);
        await survivor.SyncAsync();
        var present = (await survivor.GetChildrenAsync(Root)).Select(name => $"{Root}/{name}").ToHashSet();
        var lost = acknowledged.Count(path => !present.Contains(path));
        var recoveries = firstAfterKill.Select(gap => gap?.TotalMilliseconds ?? double.PositiveInfinity).Order().ToArray();

        new BenchReport(options, loop)
            .Add("killed_replica", leader + 1)
            .Add("first_client_ms", recoveries[0])
            .Add("median_client_ms", recoveries[recoveries.Length / 2])
            .Add("last_client_ms", recoveries[^1])
            .Add("half_rate_ms", HalfRateRecovery(completions, kill, options.Warmup))
            .Add("acknowledged", acknowledged.Count)
            .Add("lost", lost)
            .Publish(options);
        return lost == 0 && recoveries.All(double.IsFinite) ? 0 : 1;
    }

    /// <summary>Milliseconds from the kill until a 100 ms bucket saw at least half the creates per bucket before it.</summary>
    private static double HalfRateRecovery(IEnumerable<TimeSpan> completions, TimeSpan kill, TimeSpan warmup)
    {
        var times = completions.ToList();
        var before = times.Count(time => time > warmup && time <= kill) / ((kill - warmup) / RateBucket);
        for (var start = kill; start < kill + TimeSpan.FromSeconds(30); start += RateBucket)
        {
            var end = start + RateBucket;
            if (times.Count(time => time > start && time <= end) >= before / 2)
            {
                return (end - kill).TotalMilliseconds;
            }
        }
        return double.PositiveInfinity;
    }
}
