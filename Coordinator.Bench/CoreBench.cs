using System.Diagnostics;
using Coordinator.Core.Consensus;

namespace Coordinator.Bench;

/// <summary>
/// Commands chosen per second through the pure consensus core of three replicas with an instant, lossless network:
/// the ceiling the protocol logic itself puts on throughput, before any journal, socket or actor.
/// <c>--workload core --batch N --commands N</c>.
/// </summary>
internal static class CoreBench
{
    public static int Run(string[] args)
    {
        var commands = long.Parse(Program.ArgValue(args, "--commands") ?? "1000000");
        foreach (var batch in (Program.ArgValue(args, "--batch") ?? "1,64").Split(',').Select(int.Parse))
        {
            Measure(batch, commands / 10, warmup: true);
            var (elapsed, slots) = Measure(batch, commands, warmup: false);
            Console.WriteLine($"core, 3 replicas, batch {batch,3}: {commands / elapsed.TotalSeconds,12:N0} commands/s, {slots / elapsed.TotalSeconds,10:N0} slots/s ({commands:N0} commands in {elapsed.TotalSeconds:F2} s)");
        }
        return 0;
    }

    private static (TimeSpan Elapsed, long Slots) Measure(int batch, long commands, bool warmup)
    {
        var options = new PaxosOptions { ReplicaIds = [1, 2, 3], MaxBatchCommands = batch, PipelineWindow = 16, MaxPendingCommands = int.MaxValue };
        var replicas = options.ReplicaIds.ToDictionary(id => id, id => ReplicaCore.Recover(id, options, [], null, new NoJitter()));
        var queue = new Queue<Envelope>();
        var outbox = new Outbox();
        long delivered = 0;
        long slots = 0;
        long now = 0;

        void Drain(int id)
        {
            foreach (var envelope in outbox.Send)
            {
                queue.Enqueue(envelope);
            }
            foreach (var envelope in outbox.SendAfterPersist)
            {
                queue.Enqueue(envelope);
            }
            foreach (var delivery in outbox.Deliver)
            {
                if (id == 1 && delivery is SlotDelivered slot)
                {
                    delivered += slot.Value.Commands.Length;
                    slots++;
                }
            }
            outbox.Clear();
        }

        foreach (var (id, core) in replicas)
        {
            core.Start(0);
        }
        replicas[1].Tick(now += 10_000, outbox);
        Drain(1);
        while (queue.TryDequeue(out var envelope))
        {
            replicas[envelope.To].Handle(envelope.Message, now, outbox);
            Drain(envelope.To);
        }

        var payload = new byte[100];
        var stopwatch = Stopwatch.StartNew();
        long submitted = 0;
        while (delivered < commands)
        {
            // Keep the leader's queue a few batches deep, as concurrent clients would.
            while (submitted < commands && submitted - delivered < batch * 32L)
            {
                replicas[1].Submit(new Command(1 + submitted % 64, submitted, payload), now, outbox);
                Drain(1);
                submitted++;
            }
            if (queue.TryDequeue(out var envelope))
            {
                replicas[envelope.To].Handle(envelope.Message, now, outbox);
                Drain(envelope.To);
            }
        }
        return (stopwatch.Elapsed, slots);
    }

    private sealed class NoJitter : IJitterSource
    {
        public long Next(long maxExclusive) => 0;
    }
}
