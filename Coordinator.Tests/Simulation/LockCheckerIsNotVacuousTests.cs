using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Xunit.Abstractions;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// The lock workload's checks must catch real lock bugs: each deliberately broken state machine below has to fail
/// some seed within the default seed count of <see cref="LockSimulationTests"/>, or its checks prove nothing.
/// </summary>
[Trait("Category", "Simulation")]
[Trait("Category", "Locks")]
public sealed class LockCheckerIsNotVacuousTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 600;

    [Fact]
    public void Second_exclusive_holder_is_caught() =>
        AssertCaught((settings, snapshot) => new GrantWhileHeldMachine(settings, snapshot), "lock safety");

    [Fact]
    public void Semaphore_holder_past_its_max_count_is_caught() =>
        AssertCaught((settings, snapshot) => new OverfullSemaphoreMachine(settings, snapshot), "more than its max count");

    [Fact]
    public void Writer_upgraded_beside_readers_is_caught() =>
        AssertCaught((settings, snapshot) => new UpgradeBesideReadersMachine(settings, snapshot), "exclusive");

    [Fact]
    public void Second_upgradeable_holder_is_caught() =>
        AssertCaught((settings, snapshot) => new SecondUpgradeableMachine(settings, snapshot), "upgradeable holders");

    [Fact]
    public void Upgrade_that_keeps_the_read_token_is_caught() =>
        AssertCaught((settings, snapshot) => new UpgradeKeepsTokenMachine(settings, snapshot), "fencing token");

    [Fact]
    public void Token_that_does_not_increase_is_caught() =>
        AssertCaught((settings, snapshot) => new TokenIsSlotMachine(settings, snapshot), "fencing token");

    [Fact]
    public void Waiter_never_told_of_its_grant_is_caught() =>
        AssertCaught((settings, snapshot) => new SilentGrantMachine(settings, snapshot), "lock client");

    [Fact]
    public void Waiter_never_granted_after_healing_is_caught() =>
        AssertCaught((settings, snapshot) => new EndlessLockDelayMachine(settings, snapshot), "unresolved waits");

    private void AssertCaught(Func<StateMachineSettings, byte[]?, LockSimStateMachine> machine, string expectedViolation)
    {
        var options = LockSimulationTests.Options(3) with { Workload = () => new LockWorkload(machine) };
        var (failures, _, elapsed) = SimulationRunner.RunSeeds(1, DefaultSeeds, options, stopAtFirstFailure: true);
        Assert.NotEmpty(failures);
        var first = failures[0];
        output.WriteLine($"caught after {elapsed.TotalSeconds:F1} s: {first}");
        Assert.Contains(expectedViolation, first.Violation);
    }
}
