using Xunit.Abstractions;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// The seeded simulation of the Multi-Paxos core (DESIGN §4 invariants 1, 2, 3 and 7). SIM_SEEDS=N runs N seeds per
/// cluster size; SIM_SEED_START moves the first seed. A failure prints its seed and the last events; add the seed to
/// <see cref="RegressionSeeds"/> once fixed.
/// </summary>
[Trait("Category", "Simulation")]
public sealed class ConsensusSimulationTests(ITestOutputHelper output)
{
    /// <summary>Pre-vote and check-quorum are drawn per run, except in the row that runs as replicas do.</summary>
    [Theory]
    [InlineData(3, 500, 8, null)]
    [InlineData(5, 200, 8, null)]
    [InlineData(3, 300, 1, true)]
    public void Seeded_runs_keep_every_invariant(int replicas, int defaultSeeds, int pipelineWindow, bool? preVoteAndCheckQuorum)
    {
        var count = SimulationRunner.SeedCount(defaultSeeds);
        var (failures, total, elapsed) = SimulationRunner.RunSeeds(
            SimulationRunner.FirstSeed, count,
            new SimulationOptions { Replicas = replicas, PipelineWindow = pipelineWindow, PreVoteAndCheckQuorum = preVoteAndCheckQuorum });

        output.WriteLine($"{count} seeds x {replicas} replicas, window {pipelineWindow}, pre-vote {preVoteAndCheckQuorum?.ToString() ?? "drawn"}, in {elapsed.TotalSeconds:F1} s: {failures.Count} failed; totals: {total}");
        foreach (var failure in failures.Take(3))
        {
            output.WriteLine(failure.ToString());
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} seeds failed; first: {failures.FirstOrDefault()}");
        Assert.True(total.SlotsChosen > count * 10, "runs chose too few slots to mean anything");
        Assert.True(total.Crashes > 0 && total.Partitions > 0 && total.SnapshotsInstalled > 0, $"faults were not exercised: {total}");
    }

    [Theory]
    [InlineData(3, 300)]
    [InlineData(5, 150)]
    public void Read_indexes_lie_above_every_slot_applied_before_the_read(int replicas, int defaultSeeds)
    {
        var count = SimulationRunner.SeedCount(defaultSeeds);
        var (failures, total, elapsed) = SimulationRunner.RunSeeds(
            SimulationRunner.FirstSeed, count, new SimulationOptions { Replicas = replicas, PipelineWindow = 1, ReadIndexInterval = 25 });

        output.WriteLine($"{count} seeds x {replicas} replicas with reads in {elapsed.TotalSeconds:F1} s: {failures.Count} failed; totals: {total}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} seeds failed; first: {failures.FirstOrDefault()}");
        Assert.True(total.Counter("read indexes confirmed") > count * 10, $"too few reads were confirmed to mean anything: {total}");
        Assert.True(total.Counter("read indexes refused") > 0, $"no leader lost its leadership with reads pending: {total}");
    }

    [Theory]
    [MemberData(nameof(RegressionSeeds))]
    public void Seeds_that_once_failed_pass(long seed, int replicas)
    {
        var result = new Simulation(seed, new SimulationOptions { Replicas = replicas }).Run();
        output.WriteLine(result.ToString());
        Assert.True(result.Passed, result.ToString());
    }

    public static TheoryData<long, int> RegressionSeeds => new()
    {
        { 622, 3 },
        { 1683, 3 },
        { 7895, 3 },
        { 4684, 5 },
        { 8871, 5 },
        { 9790, 5 },
    };
}
