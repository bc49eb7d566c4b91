namespace Coordinator.Bench;

/// <summary>
/// Benchmark entry point: <c>dotnet run -c Release --project Coordinator.Bench -- --workload NAME [options]</c>.
/// Each workload prints its figures and the command line that produced them.
/// </summary>
internal static class Program
{
    private static readonly Dictionary<string, Func<string[], int>> Workloads = new(StringComparer.OrdinalIgnoreCase)
    {
        ["write"] = KeyValueBench.Write,
        ["read"] = KeyValueBench.Read,
        ["syncread"] = KeyValueBench.SyncRead,
        ["failover"] = FailoverBench.Run,
        ["watch"] = WatchBench.Run,
        ["watch-fanout"] = WatchFanoutBench.Run,
        ["watch-recursive"] = WatchRecursiveBench.Run,
        ["lock"] = LockBench.Run,
        ["sessions"] = SessionsBench.Run,
        ["million-nodes"] = MillionNodesBench.Run,
        ["expiry-storm"] = ExpiryStormBench.Run,
        ["hold-sessions"] = StormHolder.Run,
        ["cluster"] = ClusterBench.Run,
        ["core"] = CoreBench.Run,
        ["journal"] = JournalBench.Run,
        ["statemachine"] = StateMachineBench.Run,
    };

    private static int Main(string[] args)
    {
        var name = ArgValue(args, "--workload");
        if (name is null || !Workloads.TryGetValue(name, out var run))
        {
            Console.Error.WriteLine($"usage: Coordinator.Bench --workload <{string.Join('|', Workloads.Keys)}> [options]");
            return 2;
        }
        Console.WriteLine($"command: dotnet run -c Release --project Coordinator.Bench -- {string.Join(' ', args)}");
        return run(args);
    }

    internal static string? ArgValue(string[] args, string flag)
    {
        var index = Array.IndexOf(args, flag);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    internal static int IntArg(string[] args, string flag, int fallback) =>
        int.Parse(ArgValue(args, flag) ?? fallback.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}
