using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>watch</c>: a watcher session on replica 2 holds a data watch on one node; a setter session on replica 1 changes
/// it. Each of the samples times setData's issue to the watcher's NodeDataChanged event, re-arming the watch between
/// samples. <c>--samples N</c> (default 200).
/// </summary>
internal static class WatchBench
{
    private const string Path = "/bench-watch";

    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse("watch", args, defaultClients: 2);
        var samples = int.Parse(Program.ArgValue(args, "--samples") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
        RunAsync(options, samples).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options, int samples)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var clients = await BenchClients.ConnectAsync(cluster, 2);
        var (setter, watcher) = (clients.Clients[0], clients.Clients[1]);
        await setter.CreateAsync(Path, BenchClients.Value);
        var latencies = new LatencyRecorder();
        var clock = Stopwatch.StartNew();
        // Samples during the warm-up are taken as the measured ones are, and not counted.
        while (latencies.Count < samples)
        {
            var changed = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var armed = await watcher.GetDataAsync(Path, change => changed.TrySetResult(clock.Elapsed));
            var issued = clock.Elapsed;
            await setter.SetDataAsync(Path, BenchClients.Value, armed.Stat.Version);
            var observed = await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (issued >= options.Warmup)
            {
                latencies.Record(observed - issued);
            }
        }
        var sampled = options with { Clients = 2, Duration = clock.Elapsed - options.Warmup };
        new BenchReport(sampled, new LoopResult(latencies, 0)).Add("samples", samples).Publish(sampled);
    }
}
