using Coordinator.Core.Consensus;
using System.Diagnostics;
using Coordinator.Core.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Bench;

/// <summary>
/// The state machine alone, in memory: how fast a learner can apply setData, and what a node costs in memory.
/// Options: --ops N (setData applies, default 2,000,000), --nodes N (memory test, default 1,000,000),
/// --fanout N (children per parent in the memory test; default 0 = all under one parent).
/// </summary>
internal static class StateMachineBench
{
    private const long Session = 1;
    private const int DataBytes = 100;

    public static int Run(string[] args)
    {
        var ops = long.Parse(Program.ArgValue(args, "--ops") ?? "2000000");
        var nodes = int.Parse(Program.ArgValue(args, "--nodes") ?? "1000000");
        var fanout = int.Parse(Program.ArgValue(args, "--fanout") ?? "0");
        SetDataThroughput(ops);
        MemoryPerNode(nodes, fanout);
        return 0;
    }

    private static void SetDataThroughput(long ops)
    {
        var (machine, next) = NewMachine();
        const int Nodes = 1_000;
        var paths = Enumerable.Range(0, Nodes).Select(i => $"/bench/n{i:D4}").ToArray();
        next(new Create("/bench", [], NodeKind.Persistent));
        foreach (var path in paths)
        {
            next(new Create(path, new byte[DataBytes], NodeKind.Persistent));
        }
        var data = new byte[DataBytes];
        for (var i = 0; i < 200_000; i++)
        {
            next(new SetData(paths[i % Nodes], data));
        }
        var stopwatch = Stopwatch.StartNew();
        for (long i = 0; i < ops; i++)
        {
            var result = next(new SetData(paths[i % Nodes], data));
            if (!result.Result.IsOk)
            {
                throw new InvalidOperationException($"setData failed: {result.Code}");
            }
        }
        stopwatch.Stop();
        Console.WriteLine($"setData on {Nodes:N0} nodes ({DataBytes}-byte data): {ops:N0} applies in {stopwatch.Elapsed.TotalSeconds:F2} s = {ops / stopwatch.Elapsed.TotalSeconds:N0} applies/s");
        GC.KeepAlive(machine);
    }

    private static void MemoryPerNode(int nodes, int fanout)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var (machine, next) = NewMachine();
        next(new Create("/m", [], NodeKind.Persistent));
        var parents = fanout > 0 ? (nodes + fanout - 1) / fanout : 0;
        for (var p = 0; p < parents; p++)
        {
            next(new Create($"/m/p{p:D7}", [], NodeKind.Persistent));
        }
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < nodes; i++)
        {
            var path = fanout > 0 ? $"/m/p{i / fanout:D7}/n{i:D7}" : $"/m/n{i:D7}";
            next(new Create(path, new byte[DataBytes], NodeKind.Persistent));
        }
        var createSeconds = stopwatch.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var total = nodes + parents;
        var perNode = (double)(after - before) / total;
        var layout = fanout > 0 ? $"{parents:N0} parents x {fanout:N0} children" : "all under one parent";
        Console.WriteLine($"memory for {total:N0} nodes ({layout}, {DataBytes}-byte data): {(after - before) / 1048576.0:N1} MiB = {perNode:N1} bytes/node, {perNode - DataBytes:N1} bytes/node beyond the data (created at {nodes / createSeconds:N0} creates/s)");

        stopwatch.Restart();
        var snapshot = machine.Snapshot();
        var snapshotSeconds = stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        var restored = CoordinatorStateMachine.Restore(snapshot);
        Console.WriteLine($"snapshot of {total:N0} nodes: {snapshot.Length / 1048576.0:N1} MiB in {snapshotSeconds:F2} s, restore in {stopwatch.Elapsed.TotalSeconds:F2} s");
        GC.KeepAlive(machine);
        GC.KeepAlive(restored);
    }

    /// <summary>A machine with one open session, and a function applying the next command one slot later.</summary>
    private static (CoordinatorStateMachine Machine, Func<Transaction, ApplyResult> Next) NewMachine()
    {
        var machine = new CoordinatorStateMachine();
        long slot = 0;
        long sequence = 1;
        const long Time = 1_700_000_000_000;
        machine.Apply(++slot, SlotTime.Untermed(Time), Session, sequence, new CreateSession(30_000, 42));
        return (machine, txn => machine.Apply(++slot, SlotTime.Untermed(Time), Session, ++sequence, txn));
    }
}
