using Coordinator.Faults.Faults;

namespace Coordinator.Tests.Faults;

/// <summary>
/// The seeded schedule with the wipe fault: one wipe in the middle of the run, and after it no fault that, with the
/// wiped replica down for good, would leave fewer than a majority of replicas up and connected.
/// </summary>
[Trait("Category", "Fault")]
public sealed class FaultScheduleTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void A_wipe_comes_once_mid_run_and_later_faults_keep_a_majority(int replicas)
    {
        var ids = Enumerable.Range(1, replicas).ToList();
        foreach (var seed in Enumerable.Range(1, 300))
        {
            var schedule = FaultSchedule.Generate(seed, ids, Duration, FaultKind.All | FaultKind.Wipe);
            var wipes = schedule.Where(fault => fault.Kind == FaultKind.Wipe).ToList();
            var wipe = Assert.Single(wipes);
            Assert.InRange(wipe.At, Duration / 3, Duration * 0.75);
            Assert.Equal(seed % 2 == 0 ? WipeMethod.Delete : WipeMethod.Truncate, wipe.Method);
            var wiped = Assert.Single(wipe.Replicas);
            foreach (var later in schedule.SkipWhile(fault => fault != wipe).Skip(1))
            {
                Assert.DoesNotContain(wiped, later.Replicas);
                if (later.Kind != FaultKind.IsolateFromClients)
                {
                    // Down or cut off: the later fault's replicas and the wiped one; a majority must remain.
                    Assert.True(replicas - later.Replicas.Count - 1 > replicas / 2, $"seed {seed}: {later} after {wipe}");
                }
            }
        }
    }

    [Fact]
    public void The_default_mix_has_no_wipe_and_the_wipe_alone_gives_one()
    {
        Assert.DoesNotContain(FaultSchedule.Generate(1001, [1, 2, 3], Duration, FaultKind.All), fault => fault.Kind == FaultKind.Wipe);
        Assert.Equal(FaultKind.Wipe, Assert.Single(FaultSchedule.Generate(9, [1, 2, 3], Duration, FaultKind.Wipe)).Kind);
    }
}
