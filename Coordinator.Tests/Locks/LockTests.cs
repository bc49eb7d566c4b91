using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;
using Coordinator.Tests.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.Locks;

[Trait("Category", "Locks")]
public sealed class LockTests
{
    private const string L = "/locks/db";

    private static Harness Sessions(long lockDelayMs = 0, int count = 5)
    {
        var h = new Harness(StateMachineSettings.Default with { LockDelayMs = lockDelayMs });
        for (var s = 1; s <= count; s++)
        {
            h.Open(s);
        }
        return h;
    }

    private static Acquire X(bool wait = true, long? lease = null) => new(L, LockMode.Exclusive, wait, lease);

    private static Acquire R(bool wait = true, long? lease = null) => new(L, LockMode.Shared, wait, lease);

    private static long[] Holders(Harness h) => h.Machine.GetLock(L)?.Holders.Select(x => x.SessionId).ToArray() ?? [];

    private static long[] Waiters(Harness h) => h.Machine.GetLock(L)?.Waiters.Select(x => x.SessionId).ToArray() ?? [];

    private static long[] Granted(ApplyResult result) => result.Events.OfType<LockGranted>().Select(g => g.SessionId).ToArray();

    [Fact]
    public void Free_lock_is_granted_at_once_with_a_token()
    {
        var h = Sessions();
        var token = Assert.IsType<LockAcquiredResult>(h.Do(1, X())).Token;
        Assert.True(token > 0);
        Assert.Equal([1L], Holders(h));
        Assert.Equal(ErrorCode.Ok, h.Code(2, new CheckToken(L, token)));
        Assert.Equal([L], h.Machine.GetSession(1)!.Locks);
    }

    [Fact]
    public void Busy_lock_queues_waiters_or_refuses_without_wait()
    {
        var h = Sessions();
        h.Do(1, X());
        Assert.Equal(ErrorCode.LockBusy, h.Code(2, X(wait: false)));
        Assert.Equal(new LockQueuedResult(1), h.Do(2, X()));
        Assert.Equal(new LockQueuedResult(2), h.Do(3, R()));
        Assert.Equal([2L, 3L], Waiters(h));
        Assert.Equal(ErrorCode.LockAlreadyRequested, h.Code(1, X()));
        Assert.Equal(ErrorCode.LockAlreadyRequested, h.Code(2, R()));
    }

    [Fact]
    public void Waiters_are_granted_in_FIFO_order_by_event_to_the_waiting_session()
    {
        var h = Sessions();
        h.Do(1, X());
        h.Do(3, X());
        h.Do(2, X());
        h.Do(4, X());
        var order = new List<long>();
        for (var holder = 1L; order.Count < 3; holder = order[^1])
        {
            var released = h.Run(holder, new Release(L));
            var grant = Assert.Single(released.Events.OfType<LockGranted>());
            Assert.Equal((L, LockMode.Exclusive, h.Slot), (grant.Path, grant.Mode, grant.Slot));
            order.Add(grant.SessionId);
        }
        Assert.Equal([3L, 2L, 4L], order);
    }

    [Fact]
    public void Readers_share_and_a_group_of_queued_readers_is_granted_together()
    {
        var h = Sessions();
        Assert.IsType<LockAcquiredResult>(h.Do(1, R()));
        Assert.IsType<LockAcquiredResult>(h.Do(2, R()));
        Assert.Equal([1L, 2L], Holders(h));
        h.Do(2, new Release(L));
        h.Do(3, X());
        h.Do(4, R());
        h.Do(5, R());
        h.Do(2, R());
        Assert.Equal([3L], Granted(h.Run(1, new Release(L))));
        Assert.Equal([4L, 5L, 2L], Granted(h.Run(3, new Release(L))));
        Assert.Equal([4L, 5L, 2L], Holders(h));
    }

    [Fact]
    public void A_writer_queued_behind_readers_is_not_starved_by_later_readers()
    {
        var h = Sessions();
        h.Do(1, R());
        h.Do(2, X());
        Assert.IsType<LockQueuedResult>(h.Do(3, R()));
        Assert.Equal([2L, 3L], Waiters(h));
        Assert.Equal([2L], Granted(h.Run(1, new Release(L))));
        Assert.Equal([3L], Granted(h.Run(2, new Release(L))));
    }

    [Fact]
    public void Readers_behind_a_writer_wait_for_it_even_when_readers_hold()
    {
        var h = Sessions();
        h.Do(1, R());
        h.Do(2, X());
        h.Do(3, R());
        h.Do(4, R());
        h.Do(5, X());
        Assert.Equal([2L], Granted(h.Run(1, new Release(L))));
        Assert.Equal([3L, 4L], Granted(h.Run(2, new Release(L))));
        h.Do(3, new Release(L));
        Assert.Equal([5L], Granted(h.Run(4, new Release(L))));
    }

    [Fact]
    public void Only_a_holder_can_release_and_only_a_waiter_can_withdraw()
    {
        var h = Sessions();
        h.Do(1, X());
        h.Do(2, X());
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(2, new Release(L)));
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(3, new Release(L)));
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(3, new Release("/locks/other")));
        Assert.Equal(ErrorCode.NotLockWaiter, h.Code(1, new Withdraw(L)));
        Assert.Equal(ErrorCode.NotLockWaiter, h.Code(3, new Withdraw(L)));
        Assert.Equal(ErrorCode.InvalidPath, h.Code(1, new Release("locks")));
        Assert.Equal([1L], Holders(h));
    }

    [Fact]
    public void Withdraw_leaves_the_queue_and_can_unblock_readers_behind_it()
    {
        var h = Sessions();
        h.Do(1, R());
        h.Do(2, X());
        h.Do(3, R());
        var withdrawn = h.Run(2, new Withdraw(L));
        Assert.Equal(ErrorCode.Ok, withdrawn.Code);
        Assert.Equal([3L], Granted(withdrawn));
        Assert.Equal([1L, 3L], Holders(h));
        Assert.Empty(h.Machine.GetSession(2)!.Locks);
    }

    [Fact]
    public void Released_lock_is_dropped_from_the_table_when_nobody_wants_it()
    {
        var h = Sessions();
        h.Do(1, X());
        h.Do(1, new Release(L));
        Assert.Null(h.Machine.GetLock(L));
        Assert.Empty(h.Machine.LockPaths());
    }

    [Fact]
    public void Expired_holder_keeps_the_lock_from_anyone_for_the_lock_delay()
    {
        var h = Sessions(lockDelayMs: 5_000);
        h.Do(1, X());
        h.Do(2, X());
        var expired = h.System(new ExpireSession(1));
        Assert.Empty(Granted(expired));
        Assert.Empty(Holders(h));
        Assert.Equal(h.Time + 5_000, h.Machine.GetLock(L)!.DelayedUntil);
        Assert.Equal(ErrorCode.LockBusy, h.Code(3, X(wait: false)));
        Assert.Empty(Granted(h.Advance(4_999)));
        var after = h.Advance(1);
        Assert.Equal([2L], Granted(after));
        Assert.Null(h.Machine.GetLock(L)!.DelayedUntil);
    }

    [Fact]
    public void Lock_delay_also_holds_off_a_new_acquire_on_an_idle_lock()
    {
        var h = Sessions(lockDelayMs: 1_000);
        h.Do(1, X());
        h.System(new ExpireSession(1));
        Assert.IsType<LockQueuedResult>(h.Do(2, R()));
        h.Time += 1_000;
        var acquired = h.Run(3, R());
        Assert.Equal([2L], Granted(acquired));
        Assert.IsType<LockAcquiredResult>(acquired.Result);
        Assert.Equal([2L, 3L], Holders(h));
    }

    [Fact]
    public void Explicit_release_and_close_regrant_at_once_and_zero_delay_is_allowed()
    {
        var h = Sessions(lockDelayMs: 5_000);
        h.Do(1, X());
        h.Do(2, X());
        h.Do(3, X());
        Assert.Equal([2L], Granted(h.Run(1, new Release(L))));
        Assert.Equal([3L], Granted(h.Run(2, CloseSession.Instance)));

        var none = Sessions(lockDelayMs: 0);
        none.Do(1, X());
        none.Do(2, X());
        Assert.Equal([2L], Granted(none.System(new ExpireSession(1))));
    }

    [Fact]
    public void Expired_waiters_leave_every_queue_and_the_rest_move_up()
    {
        var h = Sessions();
        h.Do(1, X());
        h.Do(2, X());
        h.Do(3, X());
        h.Do(2, new Acquire("/locks/other", LockMode.Exclusive, true));
        h.System(new ExpireSession(2));
        Assert.Equal([3L], Waiters(h));
        Assert.Null(h.Machine.GetLock("/locks/other"));
        Assert.Equal([3L], Granted(h.Run(1, new Release(L))));
    }

    [Fact]
    public void Lease_lapses_at_the_first_slot_past_its_deadline_unless_renewed()
    {
        var h = Sessions(lockDelayMs: 0);
        var token = Assert.IsType<LockAcquiredResult>(h.Do(1, X(lease: 1_000))).Token;
        h.Do(2, X());
        Assert.Equal(h.Time + 1_000, h.Machine.GetLock(L)!.Holders[0].LeaseDeadline);
        h.Time += 800;
        Assert.Equal(ErrorCode.Ok, h.Code(1, new RenewLease(L)));
        h.Time += 1_000;
        Assert.Empty(Granted(h.System(Tick.Instance)));
        h.Time += 1;
        var lapsed = h.System(Tick.Instance);
        Assert.Equal(new LockLost(L, 1, token, h.Slot), lapsed.Events.OfType<LockLost>().Single());
        Assert.Equal([2L], Granted(lapsed));
        Assert.Equal(ErrorCode.StaleToken, h.Code(3, new CheckToken(L, token)));
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(1, new RenewLease(L)));
    }

    [Fact]
    public void Lease_outlives_its_session_and_lapse_starts_the_lock_delay()
    {
        var h = Sessions(lockDelayMs: 2_000);
        h.Do(1, X(lease: 10_000));
        h.Do(2, X());
        h.System(new ExpireSession(1));
        Assert.Equal([1L], Holders(h));
        h.Time += 10_001;
        var lapsed = h.System(Tick.Instance);
        Assert.Empty(lapsed.Events.OfType<LockLost>());
        Assert.Empty(Granted(lapsed));
        Assert.Equal([2L], Granted(h.Advance(2_000)));
    }

    [Fact]
    public void Renew_needs_a_leased_holder_and_lease_ttl_is_bounded()
    {
        var h = Sessions();
        h.Do(1, X());
        Assert.Equal(ErrorCode.NotALease, h.Code(1, new RenewLease(L)));
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(2, new RenewLease(L)));
        Assert.Equal(ErrorCode.BadArguments, h.Code(2, X(lease: 0)));
        Assert.Equal(ErrorCode.BadArguments, h.Code(2, X(lease: long.MaxValue)));
        Assert.Equal(ErrorCode.BadArguments, h.Code(2, new Acquire(L, (LockMode)9, true)));
    }

    [Fact]
    public void Queued_lease_starts_its_ttl_at_the_grant()
    {
        var h = Sessions();
        h.Do(1, X());
        h.Do(2, X(lease: 1_000));
        h.Time += 5_000;
        h.Do(1, new Release(L));
        Assert.Equal(h.Time + 1_000, h.Machine.GetLock(L)!.Holders[0].LeaseDeadline);
    }

    [Fact]
    public void Tokens_strictly_increase_with_each_grant_even_within_one_slot()
    {
        var h = Sessions();
        var tokens = new List<long>();
        var machine = h.Machine;
        const long slot = 1_000;
        var t = h.Time;
        for (var round = 0; round < 5; round++)
        {
            tokens.Add(Assert.IsType<LockAcquiredResult>(machine.Apply(slot, SlotTime.Untermed(t), 1, 10 + (round * 2), X()).Result).Token);
            machine.Apply(slot, SlotTime.Untermed(t), 1, 11 + (round * 2), new Release(L));
        }
        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Distinct().Count(), tokens.Count);
        Assert.Equal(ErrorCode.StaleToken, machine.Apply(slot, SlotTime.Untermed(t), 2, 2, new CheckToken(L, tokens[^1])).Code);
    }

    [Fact]
    public void Snapshot_restore_keeps_holders_queues_leases_and_pending_delay()
    {
        var h = Sessions(lockDelayMs: 3_000);
        h.Do(1, R(lease: 4_000));
        h.Do(2, R());
        h.Do(3, X());
        h.Do(4, R());
        h.Do(5, new Acquire("/locks/b", LockMode.Exclusive, true));
        h.Do(4, new Acquire("/locks/b", LockMode.Shared, true));
        h.System(new ExpireSession(5));
        var before = h.Machine.Snapshot();
        h.RestoreFromSnapshot();
        Assert.Equal(before, h.Machine.Snapshot());
        Assert.Equal([1L, 2L], Holders(h));
        Assert.Equal([3L, 4L], Waiters(h));
        Assert.NotNull(h.Machine.GetLock("/locks/b")!.DelayedUntil);
        Assert.Equal(["/locks/b", L], h.Machine.GetSession(4)!.Locks);

        Assert.Empty(Granted(h.Run(2, new Release(L))));
        h.Time += 4_001;
        var lapsed = h.System(Tick.Instance);
        Assert.Equal(
            [new LockGranted("/locks/b", 4, LockMode.Shared, 4, h.Slot), new LockLost(L, 1, 1, h.Slot)],
            lapsed.Events);
        Assert.Equal([3L], Granted(h.Advance(3_000)));
        Assert.Equal([4L], Waiters(h));
    }
}
