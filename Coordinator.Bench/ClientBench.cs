using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Service.Runtime;

namespace Coordinator.Bench;

/// <summary>
/// Round trips through the client library against three durable replicas in this process:
/// getData (served by the client's replica) and setData (through the leader's log), with 1 and 64 requests in flight.
/// Reads in flight share one session (reads pipeline); writes in flight use one session each (a session sends one
/// write at a time). <c>--workload client --seconds 8</c>.
/// </summary>
internal static class ClientBench
{
    private const int Keys = 1000;

    public static int Run(string[] args)
    {
        var seconds = double.Parse(Program.ArgValue(args, "--seconds") ?? "8");
        RunAll(TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAll(TimeSpan duration)
    {
        await using var cluster = await BenchCluster.StartAsync(3, "max-batch-commands = 512",
            config => new TreeStateMachine(ReplicaSettings.Create(config.WithFallback(ReplicaHost.ReferenceConfig)).StateMachine));
        await cluster.LeaderAsync();
        var clients = new List<CoordinatorClient>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                var servers = Enumerable.Range(0, 3).Select(offset => cluster.Endpoints[(i + offset) % 3]).ToList();
                clients.Add(await CoordinatorClient.ConnectAsync(new CoordinatorClientOptions { Servers = servers }));
            }
            var value = new byte[100];
            await clients[0].CreateAsync("/bench", []);
            for (var key = 0; key < Keys; key++)
            {
                await clients[0].CreateAsync($"/bench/k{key:D4}", value);
            }
            await Measure("getData", 1, duration, [clients[0]], (client, random) => client.GetDataAsync(Key(random)));
            await Measure("getData", 64, duration, [.. Enumerable.Repeat(clients[0], 64)], (client, random) => client.GetDataAsync(Key(random)));
            await Measure("setData", 1, duration, [clients[0]], (client, random) => client.SetDataAsync(Key(random), value));
            await Measure("setData", 64, duration, clients, (client, random) => client.SetDataAsync(Key(random), value));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static string Key(Random random) => $"/bench/k{random.Next(Keys):D4}";

    /// <summary>Closed loop: each lane keeps one request outstanding; 2 s of warm-up are not counted.</summary>
    private static async Task Measure(string operation, int inFlight, TimeSpan duration, IReadOnlyList<CoordinatorClient> lanes, Func<CoordinatorClient, Random, Task> request)
    {
        var latencies = new LatencyRecorder();
        var warmup = TimeSpan.FromSeconds(2);
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(lanes.Select(async (client, lane) =>
        {
            var random = new Random(lane);
            while (stopwatch.Elapsed < warmup + duration)
            {
                var issued = stopwatch.Elapsed;
                await request(client, random);
                if (issued >= warmup && stopwatch.Elapsed <= warmup + duration)
                {
                    latencies.Record(stopwatch.Elapsed - issued);
                }
            }
        }));
        Console.WriteLine($"client {operation}, {inFlight,2} in flight: {latencies.Count / duration.TotalSeconds,9:N0} round trips/s, p50 {latencies.Percentile(0.50):F2} ms, p99 {latencies.Percentile(0.99):F2} ms");
    }
}
