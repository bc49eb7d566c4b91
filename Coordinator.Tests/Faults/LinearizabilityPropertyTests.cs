using Coordinator.Faults.Checking;
using Coordinator.Faults.History;
using Xunit.Abstractions;

namespace Coordinator.Tests.Faults;

/// <summary>
/// Histories from <see cref="SimulatedRegisters"/> are linearizable by construction, so the checker must accept them;
/// one read changed to a value never written cannot be linearized, so it must reject that. The seed is in every
/// failure message.
/// </summary>
[Trait("Category", "Fault")]
public sealed class LinearizabilityPropertyTests(ITestOutputHelper output)
{
    [Fact]
    public void Simulated_histories_pass_and_an_impossible_read_fails()
    {
        for (var seed = 1; seed <= 200; seed++)
        {
            var history = new SimulatedRegisters(seed, clients: 2 + seed % 4, keys: 1 + seed % 3).Run(40 + seed % 60);
            var result = LinearizabilityChecker.Check(history);
            Assert.True(result.IsValid, $"seed {seed}: {result}");

            var reads = history.Where(operation => operation is { Function: "read", Outcome: Outcome.Ok }).ToList();
            if (reads.Count == 0)
            {
                continue;
            }
            var victim = reads[seed % reads.Count];
            var neverWritten = -1 - seed;
            var mutated = history.Select(operation => operation.Id == victim.Id ? operation with { Result = neverWritten } : operation).ToList();
            var rejected = LinearizabilityChecker.Check(mutated);
            Assert.True(rejected.Verdict == Verdict.Invalid, $"seed {seed}: read #{victim.Id} -> {neverWritten} accepted: {rejected}");
            Assert.Contains($"#{victim.Id} ", rejected.Explanation);
        }
    }

    [Fact]
    public void Twenty_thousand_operations_check_within_a_bounded_search()
    {
        const int seed = 20_000;
        var history = new SimulatedRegisters(seed, clients: 5, keys: 3).Run(20_000);
        var result = LinearizabilityChecker.Check(history);
        output.WriteLine($"seed {seed}: {history.Count} operations, {result.SearchStates} search states");
        Assert.True(result.IsValid, $"seed {seed}: {result}");
        Assert.InRange(result.SearchStates, 1, 2L * history.Count);
    }
}
