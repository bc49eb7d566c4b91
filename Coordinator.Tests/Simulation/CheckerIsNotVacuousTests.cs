using Coordinator.Core.Consensus;
using Xunit.Abstractions;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// The simulation must catch real bugs: each deliberately broken role below has to fail some seed within the
/// default seed count, or the invariant checks prove nothing.
/// </summary>
[Trait("Category", "Simulation")]
public sealed class CheckerIsNotVacuousTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 500;

    [Fact]
    public void Acceptor_that_accepts_below_its_promise_is_caught() =>
        AssertCaught(new SimulationOptions { AcceptorFactory = (id, journal) => new AcceptorIgnoringPromises(id, journal) }, "agreement");

    [Fact]
    public void Acceptor_that_forgets_its_promise_on_restart_is_caught() =>
        AssertCaught(new SimulationOptions { AcceptorFactory = (id, journal) => new AcceptorForgettingPromises(Acceptor.Recover(id, journal)) }, "agreement");

    [Fact]
    public void Learner_that_applies_out_of_order_is_caught() =>
        AssertCaught(new SimulationOptions { LearnerFactory = (id, options, snapshot) => new LearnerIgnoringOrder(new Learner(id, options, snapshot)) }, "prefix");

    private void AssertCaught(SimulationOptions options, string expectedViolation)
    {
        var (failures, _, elapsed) = SimulationRunner.RunSeeds(1, DefaultSeeds, options, stopAtFirstFailure: true);
        Assert.NotEmpty(failures);
        var first = failures[0];
        output.WriteLine($"caught after {elapsed.TotalSeconds:F1} s: {first}");
        Assert.Contains(expectedViolation, first.Violation);
    }
}
