using Akka.Actor;
using Coordinator.Core.Consensus;
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
        await using var cluster = await BenchCluster.StartAsync(replicaCount, $"max-batch-commands = {batch}, pipeline-window = 16", _ => new CountingStateMachine());
        var leader = await cluster.LeaderAsync();
        var payload = new byte[100];
        var latencies = new LatencyRecorder();
        var warmup = TimeSpan.FromSeconds(2);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var sequence = 0L;
            while (stopwatch.Elapsed < warmup + duration)
            {
                var issued = stopwatch.Elapsed;
                var response = await leader.Ask<ProposeResponse>(new ProposeRequest(new Command(client + 1, ++sequence, payload)), TimeSpan.FromSeconds(10));
                if (response.Status == ProposeStatus.Applied && issued >= warmup && stopwatch.Elapsed <= warmup + duration)
                {
                    latencies.Record(stopwatch.Elapsed - issued);
                }
            }
        }));
        var status = await leader.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(5));
        Console.WriteLine(
            $"cluster, {replicaCount} replica(s), SQLite, batch {batch,3}, {clients} clients: {latencies.Count / duration.TotalSeconds,9:N0} durable commands/s, " +
            $"p50 {latencies.Percentile(0.50):F2} ms, p99 {latencies.Percentile(0.99):F2} ms, {status.AppliedBelow / (warmup + duration).TotalSeconds:N0} slots/s overall");
    }

    private sealed class CountingStateMachine : IReplicatedStateMachine
    {
        private long _applied;

        public byte[] Apply(long slot, SlotTime time, Command command)
        {
            _applied++;
            return [];
        }

        public byte[] Snapshot() => BitConverter.GetBytes(_applied);

        public void Restore(byte[] snapshot) => _applied = BitConverter.ToInt64(snapshot);
    }
}
