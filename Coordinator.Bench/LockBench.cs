using System.Diagnostics;

namespace Coordinator.Bench;

/// <summary>
/// <c>lock</c>: 8 sessions (by default) contend for one exclusive lock, each cycle an acquire (queued on the server
/// until granted) and a release. Ops are cycles; the latency percentiles are of the acquire alone, from its issue
/// to the grant.
/// </summary>
internal static class LockBench
{
    private const string LockPath = "/bench-lock";

    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse("lock", args, defaultClients: 8);
        RunAsync(options).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var clients = await BenchClients.ConnectAsync(cluster, options.Clients);
        var acquires = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        var windowEnd = options.Warmup + options.Duration;
        var loop = await ClosedLoop.RunAsync(options.Clients, options, async (lane, _) =>
        {
            var client = clients.Clients[lane];
            var issued = clock.Elapsed;
            await client.AcquireLockAsync(LockPath);
            var granted = clock.Elapsed;
            await client.ReleaseLockAsync(LockPath);
            if (issued >= options.Warmup && clock.Elapsed <= windowEnd)
            {
                acquires.Record(granted - issued);
            }
        });
        new BenchReport(options, loop with { Latencies = acquires })
            .Add("cycle_p50_ms", loop.Latencies.Percentile(0.5))
            .Add("cycle_p99_ms", loop.Latencies.Percentile(0.99))
            .Publish(options);
    }
}
