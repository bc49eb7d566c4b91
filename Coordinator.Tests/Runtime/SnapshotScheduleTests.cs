using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Runtime;

[Trait("Category", "Unit")]
public sealed class SnapshotScheduleTests
{
    [Fact]
    public void Replicas_take_their_first_snapshot_a_fraction_of_a_period_apart_and_then_every_period()
    {
        var schedules = Enumerable.Range(0, 3).Select(position => new SnapshotSchedule(900, 90_000, position, 3)).ToList();

        Assert.Equal([900L, 1200, 1500], schedules.Select(schedule => FirstDueSlot(schedule, bytesPerSlot: 0)));
        Assert.Equal([100L, 134, 167], schedules.Select(schedule => FirstDueSlot(new SnapshotSchedule(900, 90_000, schedules.IndexOf(schedule), 3), bytesPerSlot: 900)));

        schedules[2].Taken();
        Assert.True(schedules[2].IsDue(900, 0));
        Assert.False(schedules[2].IsDue(899, 89_999));
    }

    [Fact]
    public void A_peers_installed_state_is_due_at_once_and_only_until_it_is_taken()
    {
        var schedule = new SnapshotSchedule(900, 90_000, 1, 3);
        Assert.False(schedule.IsDue(0, 0));

        schedule.PeerStateInstalled();
        Assert.True(schedule.IsDue(0, 0));

        schedule.Taken();
        Assert.False(schedule.IsDue(0, 0));
        Assert.True(schedule.IsDue(900, 0));
    }

    private static long FirstDueSlot(SnapshotSchedule schedule, long bytesPerSlot)
    {
        var slot = 1L;
        while (!schedule.IsDue(slot, slot * bytesPerSlot))
        {
            slot++;
        }
        return slot;
    }
}
