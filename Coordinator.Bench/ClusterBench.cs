using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Coordinator.Service.Consensus;
using Coordinator.Service.Runtime;

namespace Coordinator.Bench;

/// <summary>
/// Durable commands per second through real replicas in this process: Akka.Remote between them, one SQLite journal
/// each (fsync on every commit), every command acknowledged only after a majority persisted it.
/// <c>--workload cluster --replicas 3 --batch 1,64 --clients 64 --seconds 10</c>. With <c>--replicas 1</c> each
/// slot is one journal write of one acceptor, which measures the journal itself.
/// </summary>
internal static class ClusterBench
{
    public static int Run(string[] args)
    {
        var replicas = int.Parse(Program.ArgValue(args, "--replicas") ?? "3");
        var clients = int.Parse(Program.ArgValue(args, "--clients") ?? "64");
        var seconds = double.Parse(Program.ArgValue(args, "--seconds") ?? "10");
        foreach (var batch in (Program.ArgValue(args, "--batch") ?? "1,64").Split(',').Select(int.Parse))
        {
            RunOnce(replicas, batch, clients, TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
        }
        return 0;
    }

    private static async Task RunOnce(int replicaCount, int batch, int clients, TimeSpan duration)
    {
        var directory = Directory.CreateTempSubdirectory("coordinator-bench-");
        var ports = Enumerable.Range(0, replicaCount).Select(_ => FreePort()).ToArray();
        var replicaSet = string.Join('\n', ports.Select((port, index) => $"{index + 1} = \"127.0.0.1:{port}\""));
        var hosts = new List<ReplicaHost>();
        try
        {
            foreach (var id in Enumerable.Range(1, replicaCount))
            {
                var config = ConfigurationFactory.ParseString($$"""
                    coordinator {
                      replica { id = {{id}}, data-dir = "{{directory.FullName}}/r{{id}}", max-batch-commands = {{batch}}, pipeline-window = 16, snapshot-interval = 100000 }
                      replicas { {{replicaSet}} }
                    }
                    akka.loglevel = OFF
                    akka.stdout-loglevel = OFF
                    """);
                hosts.Add(await ReplicaHost.StartAsync(config, () => new CountingStateMachine()));
            }
            var leader = await FindLeader(hosts);
            var payload = new byte[100];
            long completed = 0;
            var latencies = new List<double>[clients];
            var stopwatch = Stopwatch.StartNew();
            var warmup = TimeSpan.FromSeconds(2);
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
            {
                latencies[client] = [];
                var sequence = 0L;
                while (stopwatch.Elapsed < warmup + duration)
                {
                    var issued = stopwatch.Elapsed;
                    var response = await leader.Ask<ProposeResponse>(new ProposeRequest(new Command(client + 1, ++sequence, payload)), TimeSpan.FromSeconds(10));
                    if (response.Status == ProposeStatus.Applied && issued >= warmup && stopwatch.Elapsed <= warmup + duration)
                    {
                        Interlocked.Increment(ref completed);
                        latencies[client].Add((stopwatch.Elapsed - issued).TotalMilliseconds);
                    }
                }
            }));
            var sorted = latencies.SelectMany(list => list).Order().ToArray();
            var status = await leader.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(5));
            Console.WriteLine(
                $"cluster, {replicaCount} replica(s), SQLite, batch {batch,3}, {clients} clients: {completed / duration.TotalSeconds,9:N0} durable commands/s, " +
                $"p50 {Percentile(sorted, 0.50):F2} ms, p99 {Percentile(sorted, 0.99):F2} ms, {status.AppliedBelow / (warmup + duration).TotalSeconds:N0} slots/s overall");
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.System.Terminate();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<IActorRef> FindLeader(List<ReplicaHost> hosts)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            foreach (var host in hosts)
            {
                var status = await host.Replica.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(5));
                if (status.Role == ProposerRole.Leader)
                {
                    return host.Replica;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("no leader was elected");
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class CountingStateMachine : IReplicatedStateMachine
    {
        private long _applied;

        public byte[] Apply(long slot, long timestamp, Command command)
        {
            _applied++;
            return [];
        }

        public byte[] Snapshot() => BitConverter.GetBytes(_applied);

        public void Restore(byte[] snapshot) => _applied = BitConverter.ToInt64(snapshot);
    }
}
