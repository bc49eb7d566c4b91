using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>watch-fanout</c>: <c>--watchers</c> (default 1,000) persistent watches (<c>WatchAsync(path)</c>) on one node,
/// watcher j on session j mod <c>--sessions</c> (default 100), session i on replica i mod 3; a setter session on
/// replica 1 sets the node, waits until every watcher has its event, pauses <c>--pause-ms</c> (default 10) and sets
/// again. Sets during the warm-up are taken as the measured ones are, and not counted; then <c>--sets</c> (default
/// 500). Latency = the set's issue to the last watcher's event. ZkBench's <c>watch-fanout</c> is the same with
/// ZooKeeper's <c>addWatch PERSISTENT</c>.
/// </summary>
internal static class WatchFanoutBench
{
    private const string Path = "/bench-fanout";
    private static readonly TimeSpan SetTimeout = TimeSpan.FromSeconds(10);

    public static int Run(string[] args)
    {
        var sessions = Program.IntArg(args, "--sessions", 100);
        var options = BenchOptions.Parse("watch-fanout", args, defaultClients: sessions) with { Clients = sessions };
        var watchers = Program.IntArg(args, "--watchers", 1000);
        var sets = Program.IntArg(args, "--sets", 500);
        var pause = TimeSpan.FromMilliseconds(Program.IntArg(args, "--pause-ms", 10));
        RunAsync(options, watchers, sets, pause).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options, int watchers, int sets, TimeSpan pause)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var setterSession = await BenchClients.ConnectAsync(cluster, 1);
        await using var sessions = await BenchClients.ConnectAsync(cluster, options.Clients);
        var setter = setterSession.Clients[0];
        await BenchClients.IgnoreExisting(setter.CreateAsync(Path, BenchClients.Value));
        var clock = Stopwatch.StartNew();
        var rounds = new Rounds(watchers);
        var streams = Enumerable.Range(0, watchers).Select(watcher => sessions.Clients[watcher % options.Clients].WatchAsync(Path)).ToList();
        await Task.WhenAll(streams.Select(stream => stream.Registered));
        var readers = streams.Select(stream => Task.Run(async () =>
        {
            // The n-th event a watcher sees is the n-th set's: only the setter changes the node.
            var seen = 0;
            await foreach (var change in stream)
            {
                if (change.Type == WatchEventType.NodeDataChanged)
                {
                    rounds.Arrived(++seen, clock.Elapsed);
                }
            }
        })).ToList();

        var last = new LatencyRecorder();
        var first = new LatencyRecorder();
        var acknowledged = new LatencyRecorder();
        var incomplete = 0;
        var measured = 0;
        while (measured < sets)
        {
            var counted = clock.Elapsed >= options.Warmup;
            var round = rounds.Begin(clock.Elapsed);
            await setter.SetDataAsync(Path, BenchClients.Value);
            var acked = clock.Elapsed;
            var complete = await Task.WhenAny(round.Done.Task, Task.Delay(SetTimeout)) == round.Done.Task;
            if (counted)
            {
                measured++;
                acknowledged.Record(acked - round.Sent);
                if (complete)
                {
                    last.Record(round.Last - round.Sent);
                    first.Record(round.First - round.Sent);
                }
                else
                {
                    incomplete++;
                }
            }
            await Task.Delay(pause);
        }
        var window = clock.Elapsed - options.Warmup;
        // Late events of a set that timed out still count as delivered.
        var missed = await rounds.MissedAfterAsync(SetTimeout);
        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
        await Task.WhenAll(readers);

        var report = options with { Duration = window };
        new BenchReport(report, new LoopResult(last, incomplete))
            .Add("watchers", watchers)
            .Add("sessions", options.Clients)
            .Add("watch", "persistent")
            .Add("sets", measured)
            .Add("first_event_p50_ms", first.Percentile(0.50))
            .Add("set_p50_ms", acknowledged.Percentile(0.50))
            .Add("missed_events", missed)
            .Add("unexpected_events", rounds.Unexpected)
            .Publish(report);
    }

    /// <summary>One round per set: when it was sent, and when its first and last watcher's events arrived.</summary>
    private sealed class Rounds(int watchers)
    {
        private readonly List<Round> _rounds = [];
        private long _unexpected;

        public long Unexpected
        {
            get
            {
                lock (_rounds)
                {
                    return _unexpected;
                }
            }
        }

        public Round Begin(TimeSpan sent)
        {
            var round = new Round(sent, watchers);
            lock (_rounds)
            {
                _rounds.Add(round);
            }
            return round;
        }

        /// <summary>A watcher's <paramref name="n"/>-th event, 1-based.</summary>
        public void Arrived(int n, TimeSpan time)
        {
            lock (_rounds)
            {
                if (n > _rounds.Count)
                {
                    _unexpected++;
                    return;
                }
                var round = _rounds[n - 1];
                if (round.Remaining == watchers)
                {
                    round.First = time;
                }
                round.Last = time;
                if (--round.Remaining == 0)
                {
                    round.Done.TrySetResult();
                }
            }
        }

        /// <summary>Events still missing once the last set had <paramref name="grace"/> to arrive.</summary>
        public async Task<long> MissedAfterAsync(TimeSpan grace)
        {
            Round latest;
            lock (_rounds)
            {
                if (_rounds.Count == 0)
                {
                    return 0;
                }
                latest = _rounds[^1];
            }
            await Task.WhenAny(latest.Done.Task, Task.Delay(grace));
            lock (_rounds)
            {
                return _rounds.Sum(round => (long)round.Remaining);
            }
        }
    }

    private sealed class Round(TimeSpan sent, int watchers)
    {
        public TimeSpan Sent { get; } = sent;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Remaining { get; set; } = watchers;

        public TimeSpan First { get; set; }

        public TimeSpan Last { get; set; }
    }
}
