using System.Diagnostics;
using System.Globalization;

namespace Coordinator.Bench;

/// <summary>
/// <c>--workload write --budget</c>: the write benchmark on a local cluster whose replicas serve /metrics, with the
/// write path's stage histograms (ReplicaMetrics) and every process's CPU time read just before and just after the
/// measured window, so the budget covers exactly the measured writes. It reports, per write, the mean and median of
/// each stage at the leader (queued for a slot, quorum: first Accept to chosen, apply), the journal write at the
/// leader and at the followers, what the client saw, and the rest (network hops, serialization, gateways and client:
/// the client's mean less the leader's stages), plus each process's CPU per write.
/// </summary>
/// <remarks>
/// Medians come from the histograms' buckets (interpolated inside the bucket that holds the middle, so as coarse as
/// the buckets); means are exact. The leader's own journal write runs while its Accepts are out, so it lies inside the
/// quorum stage, not beside it.
/// </remarks>
internal static class WriteBudget
{
    private const string Queued = "coordinator_replica_write_queued_duration_seconds";
    private const string Quorum = "coordinator_replica_write_quorum_duration_seconds";
    private const string Apply = "coordinator_replica_write_apply_duration_seconds";
    private const string Journal = "coordinator_replica_journal_write_duration_seconds";
    private static readonly string[] Histograms = [Queued, Quorum, Apply, Journal];

    public static async Task RunAsync(BenchOptions options, Func<Coordinator.Client.CoordinatorClient, Random, Task> request)
    {
        await using var cluster = await ProcessCluster.StartAsync(options, monitoring: true);
        await using var clients = await BenchClients.ConnectAsync(cluster, options.Clients);
        await clients.CreateKeysAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var replicas = Enumerable.Range(0, cluster.Endpoints.Count).ToList();

        var clock = Stopwatch.StartNew();
        var before = Task.Run(async () =>
        {
            await Task.Delay(options.Warmup);
            return await ReadAsync(cluster, http, replicas);
        });
        var loop = await ClosedLoop.RunAsync(options.Clients, options, (lane, random) => request(clients.Clients[lane], random), clock);
        var after = await ReadAsync(cluster, http, replicas);
        var start = await before;
        var leader = await cluster.LeaderIndexAsync();
        var writes = Math.Max(1, loop.Latencies.Count);

        var report = new BenchReport(options with { Workload = "write-budget" }, loop);
        var table = new List<(string Stage, double MeanUs, double MedianUs)>
        {
            ("client (send to answer)", loop.Latencies.Mean * 1000, loop.Latencies.Percentile(0.5) * 1000),
        };
        foreach (var (name, label) in new[] { (Queued, "leader: queued for a slot"), (Quorum, "leader: quorum (Accept to chosen)"), (Apply, "leader: apply"), (Journal, "leader: journal write") })
        {
            var delta = after[leader][name].Minus(start[leader][name]);
            table.Add((label, delta.MeanSeconds * 1e6, delta.MedianSeconds * 1e6));
        }
        var followers = replicas.Where(index => index != leader).ToList();
        var followerJournal = followers.Select(index => after[index][Journal].Minus(start[index][Journal])).Aggregate((a, b) => a.Plus(b));
        table.Add(("followers: journal write", followerJournal.MeanSeconds * 1e6, followerJournal.MedianSeconds * 1e6));
        var inside = table.Where(row => row.Stage is "leader: queued for a slot" or "leader: quorum (Accept to chosen)" or "leader: apply").Sum(row => row.MeanUs);
        table.Add(("rest: network, serialization, gateway, client", table[0].MeanUs - inside, double.NaN));

        Console.WriteLine($"write budget, C={options.Clients}, {writes} writes measured, leader replica {leader + 1}:");
        foreach (var (stage, mean, median) in table)
        {
            Console.WriteLine($"  {stage,-48} mean {mean,8:F0} us   median {(double.IsNaN(median) ? "-" : median.ToString("F0", CultureInfo.InvariantCulture)),8} us");
            var key = new string(stage.TakeWhile(c => c != '(').ToArray()).Trim().Replace(": ", "_").Replace(", ", "_").Replace(' ', '_');
            report.Add($"{key}_mean_us", Math.Round(mean));
            if (!double.IsNaN(median))
            {
                report.Add($"{key}_p50_us", Math.Round(median));
            }
        }
        foreach (var index in replicas)
        {
            var cpu = (after[index].Cpu - start[index].Cpu).TotalMicroseconds / writes;
            var role = index == leader ? "leader" : "follower";
            Console.WriteLine($"  CPU per write, replica {index + 1} ({role}): {cpu:F0} us");
            report.Add($"cpu_us_per_write_replica{index + 1}_{role}", Math.Round(cpu));
        }
        report.Publish(options);
    }

    private static async Task<List<ReplicaReading>> ReadAsync(ProcessCluster cluster, HttpClient http, List<int> replicas)
    {
        var readings = new List<ReplicaReading>();
        foreach (var index in replicas)
        {
            var text = await http.GetStringAsync($"http://{cluster.MonitoringEndpoints[index]}/metrics");
            readings.Add(new ReplicaReading(Histograms.ToDictionary(name => name, name => HistogramReading.Parse(text, name)), cluster.CpuTime(index)));
        }
        return readings;
    }

    private sealed record ReplicaReading(Dictionary<string, HistogramReading> Histograms, TimeSpan Cpu)
    {
        public HistogramReading this[string name] => Histograms[name];
    }

    /// <summary>One Prometheus histogram as scraped: cumulative bucket counts by upper bound, sum and count.</summary>
    private sealed record HistogramReading(SortedDictionary<double, double> Cumulative, double Sum, double Count)
    {
        public double MeanSeconds => Count > 0 ? Sum / Count : 0;

        public double MedianSeconds
        {
            get
            {
                var lower = 0.0;
                var below = 0.0;
                foreach (var (bound, cumulative) in Cumulative)
                {
                    if (cumulative >= Count / 2 && cumulative > below)
                    {
                        return double.IsPositiveInfinity(bound) ? lower : lower + (bound - lower) * ((Count / 2 - below) / (cumulative - below));
                    }
                    (lower, below) = (bound, cumulative);
                }
                return 0;
            }
        }

        public HistogramReading Minus(HistogramReading earlier) => new(
            new SortedDictionary<double, double>(Cumulative.ToDictionary(pair => pair.Key, pair => pair.Value - earlier.Cumulative.GetValueOrDefault(pair.Key))),
            Sum - earlier.Sum, Count - earlier.Count);

        public HistogramReading Plus(HistogramReading other) => new(
            new SortedDictionary<double, double>(Cumulative.ToDictionary(pair => pair.Key, pair => pair.Value + other.Cumulative.GetValueOrDefault(pair.Key))),
            Sum + other.Sum, Count + other.Count);

        public static HistogramReading Parse(string exposition, string name)
        {
            var buckets = new SortedDictionary<double, double>();
            double sum = 0, count = 0;
            foreach (var line in exposition.Split('\n'))
            {
                if (line.StartsWith(name + "_bucket{", StringComparison.Ordinal))
                {
                    var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
                    var bound = le[..le.IndexOf('"')];
                    buckets[bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture)] = Value(line);
                }
                else if (line.StartsWith(name + "_sum", StringComparison.Ordinal))
                {
                    sum = Value(line);
                }
                else if (line.StartsWith(name + "_count", StringComparison.Ordinal))
                {
                    count = Value(line);
                }
            }
            return new HistogramReading(buckets, sum, count);
        }

        private static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
