using Coordinator.Core.Sessions;

namespace Coordinator.Tests.Sessions;

/// <summary>
/// The leader's session tracker with virtual time: deadlines in buckets rounded up to the check interval (never early,
/// at most one interval late), touches that push them on, expiry that looks only at what is due, and storms handed
/// out in bounded numbers.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SessionTrackerTests
{
    private const long Interval = 250;

    [Fact]
    public void A_session_expires_after_its_timeout_rounded_up_to_the_next_bucket_and_never_before()
    {
        var tracker = new SessionTracker(Interval, 100);
        tracker.Opened(now: 1_010, sessionId: 7, timeoutMs: 4_000);
        // 1,010 + 4,000 = 5,010 falls in the bucket that ends at 5,250.
        Assert.Empty(tracker.DueForExpiry(5_010));
        Assert.Empty(tracker.DueForExpiry(5_249));
        Assert.Equal([7L], tracker.DueForExpiry(5_250));
        Assert.Empty(tracker.DueForExpiry(5_500));
    }

    [Fact]
    public void A_touch_pushes_the_deadline_a_full_timeout_on_and_unknown_sessions_are_ignored()
    {
        var tracker = new SessionTracker(Interval, 100);
        tracker.Opened(0, 7, 4_000);
        tracker.Touch(3_900, [7, 99]);
        Assert.Empty(tracker.DueForExpiry(4_250));
        Assert.Empty(tracker.DueForExpiry(7_900));
        Assert.Equal([7L], tracker.DueForExpiry(8_000));
        Assert.False(tracker.Tracks(99));
    }

    [Fact]
    public void Touches_within_one_interval_leave_a_session_where_it_is_and_buckets_stay_bounded_by_timeout_over_interval()
    {
        var tracker = new SessionTracker(Interval, 100);
        for (long id = 1; id <= 10_000; id++)
        {
            tracker.Opened(id % 1_000, id, 10_000);
        }
        Assert.True(tracker.BucketCount <= 5);
        for (long now = 0; now < 60_000; now += 500)
        {
            tracker.Touch(now, Enumerable.Range(1, 10_000).Select(id => (long)id));
            Assert.Empty(tracker.DueForExpiry(now));
        }
        Assert.True(tracker.BucketCount <= 10_000 / Interval + 2);
        Assert.Equal(10_000, tracker.Count);
    }

    [Fact]
    public void An_ended_session_is_never_proposed_and_a_proposed_one_comes_round_again_a_timeout_later_unless_applied()
    {
        var tracker = new SessionTracker(Interval, 100);
        tracker.Opened(0, 1, 4_000);
        tracker.Opened(0, 2, 4_000);
        tracker.Ended(2);
        Assert.Equal([1L], tracker.DueForExpiry(4_250));
        Assert.Equal(1, tracker.ExpiriesInFlight);
        Assert.Empty(tracker.DueForExpiry(8_000));
        // Not applied a timeout later (the proposal was refused or lost): proposed again.
        Assert.Equal([1L], tracker.DueForExpiry(8_500));
        tracker.Ended(1);
        Assert.Equal(0, tracker.ExpiriesInFlight);
        Assert.Equal(0, tracker.Count);
        Assert.Empty(tracker.DueForExpiry(100_000));
    }

    [Fact]
    public void A_touch_after_the_expiry_was_proposed_makes_the_session_live_again_for_the_tracker()
    {
        var tracker = new SessionTracker(Interval, 100);
        tracker.Opened(0, 1, 4_000);
        Assert.Equal([1L], tracker.DueForExpiry(4_250));
        tracker.Touch(4_300, [1]);
        Assert.Equal(0, tracker.ExpiriesInFlight);
        Assert.Empty(tracker.DueForExpiry(8_299));
        Assert.Equal([1L], tracker.DueForExpiry(8_500));
    }

    [Fact]
    public void A_storm_is_handed_out_oldest_deadline_first_in_bounded_numbers_as_earlier_expiries_apply()
    {
        var tracker = new SessionTracker(Interval, 512);
        for (long id = 0; id < 50_000; id++)
        {
            // Deadlines spread over 2 s, every session dead by 12,000.
            tracker.Opened(id % 2_000, id, 10_000);
        }
        var proposed = new List<long>();
        var now = 12_000L;
        while (proposed.Count < 50_000)
        {
            var due = tracker.DueForExpiry(now);
            Assert.InRange(due.Count, 1, 512);
            Assert.True(tracker.ExpiriesInFlight <= 512);
            proposed.AddRange(due);
            foreach (var id in due.Take(300))
            {
                tracker.Ended(id);
            }
            // Asked again as soon as half the room is free, not at the next check.
            Assert.Equal(proposed.Count < 50_000, tracker.ReadyForMore);
            foreach (var id in due.Skip(300))
            {
                tracker.Ended(id);
            }
            now += 10;
        }
        Assert.Equal(50_000, proposed.Distinct().Count());
        var deadlines = proposed.Select(id => id % 2_000 / Interval).ToList();
        Assert.Equal(deadlines.Order(), deadlines);
        Assert.Equal(0, tracker.Count);
    }

    [Fact]
    public void When_nothing_is_applied_no_more_than_the_bound_is_ever_in_flight()
    {
        var tracker = new SessionTracker(Interval, 100);
        for (long id = 0; id < 1_000; id++)
        {
            tracker.Opened(0, id, 4_000);
        }
        var first = tracker.DueForExpiry(5_000);
        Assert.Equal(100, first.Count);
        Assert.False(tracker.ReadyForMore);
        Assert.Empty(tracker.DueForExpiry(5_250));
        tracker.Touch(5_300, first.Take(10));
        Assert.Equal(10, tracker.DueForExpiry(5_500).Count);
    }

    [Fact]
    public void Reset_gives_every_live_session_a_full_timeout_from_now_and_forgets_the_rest()
    {
        var tracker = new SessionTracker(Interval, 100);
        tracker.Opened(0, 1, 4_000);
        tracker.Opened(0, 2, 4_000);
        Assert.Equal(2, tracker.DueForExpiry(4_250).Count);
        tracker.Reset(10_000, [(2, 4_000), (3, 6_000)]);
        Assert.False(tracker.Tracks(1));
        Assert.Equal(0, tracker.ExpiriesInFlight);
        Assert.Empty(tracker.DueForExpiry(13_999));
        Assert.Equal([2L], tracker.DueForExpiry(14_250));
        Assert.Equal([3L], tracker.DueForExpiry(16_250));
    }
}
