using System.Collections.Concurrent;
using System.Diagnostics;

namespace Coordinator.Tests.Simulation;

/// <summary>Runs many seeds in parallel and collects the failures.</summary>
internal static class SimulationRunner
{
    /// <summary>Seeds per cluster size: <c>SIM_SEEDS</c> when set, else the default for that size.</summary>
    public static int SeedCount(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable("SIM_SEEDS"), out var count) && count > 0 ? count : defaultCount;

    /// <summary>First seed: <c>SIM_SEED_START</c> when set, so a long run can cover fresh seeds.</summary>
    public static long FirstSeed =>
        long.TryParse(Environment.GetEnvironmentVariable("SIM_SEED_START"), out var start) ? start : 1;

    public static (IReadOnlyList<SimulationResult> Failures, SimulationStats Total, TimeSpan Elapsed) RunSeeds(
        long firstSeed, int count, SimulationOptions options, bool stopAtFirstFailure = false)
    {
        var failures = new ConcurrentBag<SimulationResult>();
        var totals = new long[8];
        var counters = new ConcurrentDictionary<string, long>();
        var stopwatch = Stopwatch.StartNew();
        Parallel.For(firstSeed, firstSeed + count, (seed, state) =>
        {
            var result = new Simulation(seed, options).Run();
            var stats = result.Stats;
            Interlocked.Add(ref totals[0], stats.VirtualMs);
            Interlocked.Add(ref totals[1], stats.Events);
            Interlocked.Add(ref totals[2], stats.SlotsChosen);
            Interlocked.Add(ref totals[3], stats.CommandsSubmitted);
            Interlocked.Add(ref totals[4], stats.Crashes);
            Interlocked.Add(ref totals[5], stats.Partitions);
            Interlocked.Add(ref totals[6], stats.SnapshotsInstalled);
            Interlocked.Add(ref totals[7], stats.LeaderChanges);
            foreach (var (name, value) in stats.Workload ?? new Dictionary<string, long>())
            {
                counters.AddOrUpdate(name, value, (_, sum) => sum + value);
            }
            if (!result.Passed)
            {
                failures.Add(result);
                if (stopAtFirstFailure)
                {
                    state.Stop();
                }
            }
        });
        var total = new SimulationStats(totals[0], totals[1], totals[2], totals[3], (int)totals[4], (int)totals[5], (int)totals[6], (int)totals[7], counters);
        return (failures.OrderBy(failure => failure.Seed).ToList(), total, stopwatch.Elapsed);
    }
}
