using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;

namespace Coordinator.Tests.StateMachine;

/// <summary>
/// Issue 15 finding 6: lease lapse, TTL reaping and lock-delay run on the duration clock (README "Time"), which moves
/// only by one leader's monotonic clock within its own term, so no leader's wall clock can make them lapse early,
/// and a new term restarts them at a full period.
/// </summary>
[Trait("Category", "StateMachine")]
public sealed class DurationClockTests
{
    private const string Lease = "/lease";
    private const long Wall = 1_700_000_000_000;

    private static readonly Ballot First = new(1, 1);
    private static readonly Ballot Second = new(2, 2);

    private readonly Dictionary<long, long> _sequences = [];
    private CoordinatorStateMachine _machine = new();
    private long _slot;

    [Fact]
    public void A_new_leader_whose_wall_clock_is_a_minute_ahead_does_not_lapse_a_lease_early()
    {
        var grant = new SlotTime(Wall, First, 500);
        Open(grant, 1);
        Assert.IsType<LockAcquiredResult>(Run(grant, 1, new Acquire(Lease, LockMode.Exclusive, false, 10_000)).Result);
        Tick(new SlotTime(Wall + 4_000, First, 4_500));

        // The second leader's wall clock is 60 s ahead, and its monotonic clock counts from its own start.
        var ahead = Wall + 4_000 + 60_000;
        Assert.DoesNotContain(Tick(new SlotTime(ahead, Second, 77)).Events, e => e is LockLost);
        Assert.Equal(4_000, _machine.Clock);
        Assert.Equal(ahead, _machine.Now);
        Assert.DoesNotContain(Tick(new SlotTime(ahead + 10_000, Second, 77 + 10_000)).Events, e => e is LockLost);
        Assert.Contains(Tick(new SlotTime(ahead + 10_001, Second, 77 + 10_001)).Events, e => e is LockLost { Path: Lease });
    }

    [Fact]
    public void Within_a_term_time_follows_the_leaders_monotonic_clock_even_while_its_stamps_stand_still()
    {
        // A leader after one whose clock ran ahead stamps the old high stamp until its own clock catches up.
        var grant = new SlotTime(Wall, First, 0);
        Open(grant, 1);
        Run(grant, 1, new Acquire(Lease, LockMode.Exclusive, false, 1_000));
        Assert.DoesNotContain(Tick(new SlotTime(Wall, First, 1_000)).Events, e => e is LockLost);
        Assert.Equal(1_000, _machine.Clock);
        Assert.Contains(Tick(new SlotTime(Wall, First, 1_001)).Events, e => e is LockLost);
        Assert.Equal(Wall, _machine.Now);
    }

    [Fact]
    public void A_new_term_restarts_leases_ttl_nodes_and_lock_delay_at_a_full_period()
    {
        var start = new SlotTime(Wall, First, 0);
        Open(start, 1);
        Open(start, 2);
        Open(start, 3);
        Run(start, 1, new Acquire(Lease, LockMode.Exclusive, false, 10_000));
        Run(start, 1, new Create("/ttl", [], NodeKind.PersistentWithTtl, 10_000));
        Run(start, 2, new Acquire("/held", LockMode.Exclusive, false));
        Assert.IsType<LockQueuedResult>(Run(start, 3, new Acquire("/held", LockMode.Exclusive, true)).Result);
        System(new SlotTime(Wall + 6_000, First, 6_000), new ExpireSession(2));
        Assert.Equal(6_000 + _machine.Settings.LockDelayMs, _machine.GetLock("/held")!.DelayedUntil);
        Tick(new SlotTime(Wall + 8_000, First, 8_000));

        // Under the new leader everything counts a full period from the restart at duration 8 000.
        Tick(new SlotTime(Wall + 8_000, Second, 100));
        Assert.Equal(8_000 + 10_000, _machine.GetLock(Lease)!.Holders[0].LeaseDeadline);
        Assert.Equal(8_000 + _machine.Settings.LockDelayMs, _machine.GetLock("/held")!.DelayedUntil);
        var delay = _machine.Settings.LockDelayMs;
        Assert.DoesNotContain(Tick(new SlotTime(Wall + 20_000, Second, 100 + delay - 1)).Events, e => e is LockGranted);
        Assert.Contains(Tick(new SlotTime(Wall + 20_000, Second, 100 + delay)).Events, e => e is LockGranted { SessionId: 3 });
        var beforeDue = Tick(new SlotTime(Wall + 30_000, Second, 100 + 10_000)).Events;
        Assert.DoesNotContain(beforeDue, e => e is LockLost or NodeDeleted);
        var due = Tick(new SlotTime(Wall + 30_000, Second, 100 + 10_001)).Events;
        Assert.Contains(due, e => e is LockLost { Path: Lease });
        Assert.Contains(due, e => e is NodeDeleted { Path: "/ttl" });
    }

    [Fact]
    public void Batches_of_an_older_term_placed_after_a_newer_one_never_move_the_clock()
    {
        var grant = new SlotTime(Wall, First, 0);
        Open(grant, 1);
        Run(grant, 1, new Acquire(Lease, LockMode.Exclusive, false, 10_000));
        Tick(new SlotTime(Wall, Second, 0));

        // The deposed first leader's batches, re-proposed later, claim an hour passed on its clock.
        Tick(new SlotTime(Wall, First, 1_000));
        Assert.DoesNotContain(Tick(new SlotTime(Wall, First, 3_600_000)).Events, e => e is LockLost);
        Assert.Equal(0, _machine.Clock);

        // Back to the second term: the switch pauses again, then its own clock counts.
        Tick(new SlotTime(Wall, Second, 5_000));
        Assert.Equal(0, _machine.Clock);
        Tick(new SlotTime(Wall, Second, 7_000));
        Assert.Equal(2_000, _machine.Clock);
        Assert.Equal(10_000, _machine.GetLock(Lease)!.Holders[0].LeaseDeadline);
    }

    [Fact]
    public void A_clock_that_goes_backwards_within_a_term_does_not_move_time()
    {
        var start = new SlotTime(Wall, First, 5_000);
        Open(start, 1);
        Tick(new SlotTime(Wall, First, 4_000));
        Assert.Equal(0, _machine.Clock);
        Tick(new SlotTime(Wall, First, 6_000));
        Assert.Equal(1_000, _machine.Clock);
    }

    [Fact]
    public void Snapshot_round_trip_keeps_the_clock_the_term_and_every_deadline()
    {
        var start = new SlotTime(Wall, First, 0);
        Open(start, 1);
        Run(start, 1, new Acquire(Lease, LockMode.Exclusive, false, 10_000));
        Run(start, 1, new Create("/ttl", [], NodeKind.PersistentWithTtl, 12_000));
        Tick(new SlotTime(Wall + 3_000, First, 3_000));
        Tick(new SlotTime(Wall + 60_000, Second, 900));
        Tick(new SlotTime(Wall + 61_000, Second, 1_900));

        var snapshot = _machine.Snapshot();
        var restored = CoordinatorStateMachine.Restore(snapshot, _machine.Settings);
        Assert.Equal(snapshot, restored.Snapshot());
        Assert.Equal(_machine.Clock, restored.Clock);
        Assert.Equal(_machine.Now, restored.Now);
        Assert.Equal(_machine.GetLock(Lease), restored.GetLock(Lease), LockInfoComparer.Instance);

        // Both go on alike: the same term keeps counting (no restart), and the lease lapses in the same slot.
        var original = _machine;
        foreach (var machine in new[] { original, restored })
        {
            _machine = machine;
            var slot = _slot;
            Assert.DoesNotContain(Tick(new SlotTime(Wall + 70_000, Second, 900 + 10_000)).Events, e => e is LockLost);
            Assert.Contains(Tick(new SlotTime(Wall + 70_000, Second, 900 + 10_001)).Events, e => e is LockLost);
            Assert.Contains(Tick(new SlotTime(Wall + 70_000, Second, 900 + 12_001)).Events, e => e is NodeDeleted);
            _slot = slot;
        }
        Assert.Equal(original.Snapshot(), restored.Snapshot());
    }

    [Fact]
    public void A_failed_apply_at_a_term_change_leaves_time_and_deadlines_as_they_were()
    {
        var start = new SlotTime(Wall, First, 0);
        Open(start, 1);
        Run(start, 1, new Acquire(Lease, LockMode.Exclusive, false, 10_000));
        Tick(new SlotTime(Wall + 5_000, First, 5_000));
        var before = _machine.Snapshot();

        _machine.FaultAtMutation = 1;
        Assert.Equal(ErrorCode.SystemError, Tick(new SlotTime(Wall + 6_000, Second, 0)).Code);
        Assert.Equal(before, _machine.Snapshot());
        Assert.Equal(10_000, _machine.GetLock(Lease)!.Holders[0].LeaseDeadline);

        _machine.FaultAtMutation = 0;
        _slot--;
        Assert.Equal(ErrorCode.Ok, Tick(new SlotTime(Wall + 6_000, Second, 0)).Code);
        Assert.Equal(15_000, _machine.GetLock(Lease)!.Holders[0].LeaseDeadline);
    }

    /// <summary>
    /// Format 1 bytes written by the code before the duration clock (a build of main from before this change, run
    /// once): sessions 1 and 2, the TTL node /t (5 s, written at 1 000 100), a 3 s lease on /lease granted at
    /// 1 000 200, and /held in its lock-delay since session 2 expired at 1 000 400.
    /// </summary>
    private const string FormatOneSnapshot =
        "010600000000000000D0430F0000000000020000000000000000000000000000000000000000000000000000000000000000030000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000010000000100000074050100000009030000000000000003000000000000000300000000000000A4420F0000000000A4420F000000000000000000000000008813000000000000000000000000000000000000010000000100000000000000102700000B0000000000000008430F000000000003000000000000000106010000000000000002000000050000002F68656C640158570F00000000000000000000000000060000002F6C656173650001000000010000000000000000010000000000000001B80B00000000000008430F000000000000000000";

    [Fact]
    public void A_format_one_snapshot_restores_with_its_deadlines_on_the_highest_stamp()
    {
        _machine = CoordinatorStateMachine.Restore(Convert.FromHexString(FormatOneSnapshot));
        _slot = 6;
        Assert.Equal(1_000_400, _machine.Now);
        Assert.Equal(1_000_400, _machine.Clock);
        Assert.Equal(1_000_200 + 3_000, _machine.GetLock(Lease)!.Holders[0].LeaseDeadline);
        Assert.Equal(1_000_400 + 5_000, _machine.GetLock("/held")!.DelayedUntil);

        // Batches from before terms keep measuring by the highest stamp, as that code did.
        Assert.DoesNotContain(Tick(SlotTime.Untermed(1_003_200)).Events, e => e is LockLost);
        Assert.Contains(Tick(SlotTime.Untermed(1_003_201)).Events, e => e is LockLost { Path: Lease });
        Assert.Contains(Tick(SlotTime.Untermed(1_005_101)).Events, e => e is NodeDeleted { Path: "/t" });
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, _machine.Snapshot()[0]);
    }

    [Fact]
    public void The_first_termed_batch_after_a_format_one_snapshot_restarts_its_deadlines()
    {
        _machine = CoordinatorStateMachine.Restore(Convert.FromHexString(FormatOneSnapshot));
        _slot = 6;
        Assert.DoesNotContain(Tick(new SlotTime(1_003_300, First, 42)).Events, e => e is LockLost);
        Assert.Equal(1_000_400 + 3_000, _machine.GetLock(Lease)!.Holders[0].LeaseDeadline);
        Assert.DoesNotContain(Tick(new SlotTime(1_003_300, First, 42 + 3_000)).Events, e => e is LockLost);
        Assert.Contains(Tick(new SlotTime(1_003_300, First, 42 + 3_001)).Events, e => e is LockLost { Path: Lease });
    }

    private void Open(SlotTime time, long session)
    {
        _sequences[session] = 1;
        Assert.IsType<SessionCreatedResult>(Apply(time, session, 1, new CreateSession(40_000, session)).Result);
    }

    private ApplyResult Run(SlotTime time, long session, Transaction txn)
    {
        var sequence = _sequences[session] + 1;
        _sequences[session] = sequence;
        return Apply(time, session, sequence, txn);
    }

    private ApplyResult System(SlotTime time, Transaction txn) => Apply(time, CoordinatorStateMachine.SystemSessionId, 0, txn);

    private ApplyResult Tick(SlotTime time) => System(time, Coordinator.Core.Protocol.Tick.Instance);

    private ApplyResult Apply(SlotTime time, long session, long sequence, Transaction txn) =>
        _machine.Apply(++_slot, time, session, sequence, txn);

    private sealed class LockInfoComparer : IEqualityComparer<LockInfo?>
    {
        public static readonly LockInfoComparer Instance = new();

        public bool Equals(LockInfo? x, LockInfo? y) =>
            x is not null && y is not null && x.Path == y.Path && x.DelayedUntil == y.DelayedUntil
            && x.Holders.SequenceEqual(y.Holders) && x.Waiters.SequenceEqual(y.Waiters);

        public int GetHashCode(LockInfo? obj) => obj?.Path.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
