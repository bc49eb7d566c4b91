using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>watch-recursive</c>: <c>--watchers</c> (default 100) sessions, session i on replica i mod 3, each with one
/// recursive watch (<c>WatchAsync(root, recursive: true)</c>) on <c>/bench-rwatch</c>, while <c>--clients</c> (default
/// 16) writer sessions set its <c>--keys</c> (default 100) children in a closed loop, keys drawn from each writer's
/// seeded random. Reports the writes as the closed loop does, the events delivered inside the measured window
/// (summed over watchers) per second, and, once the writers stopped and the watchers drained, every watcher's
/// events per child against the acknowledged writes to it (missed and duplicate events). ZkBench's
/// <c>watch-recursive</c> is the same with ZooKeeper's <c>addWatch PERSISTENT_RECURSIVE</c>.
/// </summary>
internal static class WatchRecursiveBench
{
    private const string Root = "/bench-rwatch";

    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse("watch-recursive", args, defaultClients: 16);
        RunAsync(options, Program.IntArg(args, "--watchers", 100), Program.IntArg(args, "--keys", 100)).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options, int watchers, int keys)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var writers = await BenchClients.ConnectAsync(cluster, options.Clients);
        await using var watcherSessions = await BenchClients.ConnectAsync(cluster, watchers);
        var paths = Enumerable.Range(0, keys).Select(key => $"{Root}/k{key:D4}").ToArray();
        var keyIndex = paths.Select((path, key) => (path, key)).ToDictionary(entry => entry.path, entry => entry.key);
        await BenchClients.IgnoreExisting(writers.Clients[0].CreateAsync(Root, BenchClients.Value));
        await Task.WhenAll(paths.Select(path => BenchClients.IgnoreExisting(writers.Clients[0].CreateAsync(path, BenchClients.Value))));

        // Started just before the writers, whose warm-up begins with it; the readers time events against it.
        var clock = new Stopwatch();
        var windowEnd = options.Warmup + options.Duration;
        var tallies = Enumerable.Range(0, watchers).Select(_ => new Tally(keys)).ToArray();
        var streams = watcherSessions.Clients.Select(session => session.WatchAsync(Root, recursive: true)).ToList();
        await Task.WhenAll(streams.Select(stream => stream.Registered));
        var readers = streams.Select((stream, watcher) => Task.Run(async () =>
        {
            var tally = tallies[watcher];
            await foreach (var change in stream)
            {
                var time = clock.Elapsed;
                if (change.Type == WatchEventType.NodeDataChanged && keyIndex.TryGetValue(change.Path, out var key))
                {
                    tally.Arrived(key, time >= options.Warmup && time <= windowEnd);
                }
            }
        })).ToList();

        var acknowledged = new long[keys];
        var unacknowledged = 0L;
        clock.Start();
        var loop = await ClosedLoop.RunAsync(options.Clients, options, async (lane, random) =>
        {
            var key = random.Next(keys);
            try
            {
                await writers.Clients[lane].SetDataAsync(paths[key], BenchClients.Value);
            }
            catch (Exception failure) when (ClosedLoop.IsRequestFailure(failure))
            {
                Interlocked.Increment(ref unacknowledged);
                throw;
            }
            Interlocked.Increment(ref acknowledged[key]);
        }, clock);
        var writersDone = clock.Elapsed;
        var expectedPerWatcher = acknowledged.Sum();
        var drainedAt = await DrainAsync(tallies, expectedPerWatcher, clock);
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
        await Task.WhenAll(readers);

        long missed = 0, duplicate = 0;
        foreach (var tally in tallies)
        {
            for (var key = 0; key < keys; key++)
            {
                var difference = tally.PerKey[key] - acknowledged[key];
                missed += Math.Max(0, -difference);
                duplicate += Math.Max(0, difference);
            }
        }
        var seconds = options.Duration.TotalSeconds;
        var inWindow = tallies.Sum(tally => tally.InWindow);
        new BenchReport(options, loop)
            .Add("watchers", watchers)
            .Add("keys", keys)
            .Add("watch", "persistent-recursive")
            .Add("writes_per_sec", loop.Latencies.Count / seconds)
            .Add("events_per_sec", inWindow / seconds)
            .Add("events_in_window", inWindow)
            .Add("acknowledged_writes", expectedPerWatcher)
            .Add("unacknowledged_writes", unacknowledged)
            .Add("expected_events", expectedPerWatcher * watchers)
            .Add("received_events", tallies.Sum(tally => tally.Total))
            .Add("missed_events", missed)
            .Add("duplicate_events", duplicate)
            .Add("drain_ms", drainedAt is { } drained ? Math.Max(0, (drained - writersDone).TotalMilliseconds) : double.PositiveInfinity)
            .Publish(options);
    }

    /// <summary>
    /// Waits until every watcher has at least <paramref name="expected"/> events (then half a second more, for any
    /// duplicate), or until no event arrived for 5 s (at most 60 s); when the last watcher got there, or null.
    /// </summary>
    private static async Task<TimeSpan?> DrainAsync(Tally[] tallies, long expected, Stopwatch clock)
    {
        var started = clock.Elapsed;
        var lastTotal = -1L;
        var lastChange = started;
        while (true)
        {
            var now = clock.Elapsed;
            var totals = tallies.Select(tally => Volatile.Read(ref tally.Total)).ToArray();
            if (totals.All(total => total >= expected))
            {
                await Task.Delay(500);
                return now;
            }
            if (totals.Sum() != lastTotal)
            {
                lastTotal = totals.Sum();
                lastChange = now;
            }
            else if (now - lastChange > TimeSpan.FromSeconds(5) || now - started > TimeSpan.FromSeconds(60))
            {
                return null;
            }
            await Task.Delay(20);
        }
    }

    /// <summary>One watcher's events, per child; written by its reader alone, read by the drain while it runs.</summary>
    private sealed class Tally(int keys)
    {
        public readonly long[] PerKey = new long[keys];
        public long Total;
        public long InWindow;

        public void Arrived(int key, bool counted)
        {
            PerKey[key]++;
            if (counted)
            {
                InWindow++;
            }
            Volatile.Write(ref Total, Total + 1);
        }
    }
}
