using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Tests.StateMachine;

namespace Coordinator.Tests.Locks;

/// <summary>Counting semaphores: lock entries with a capacity, N holders at once, FIFO, a token per grant.</summary>
[Trait("Category", "Locks")]
public sealed class SemaphoreTests
{
    private const string S = "/locks/pool";

    private static Harness Sessions(long lockDelayMs = 0, int count = 6)
    {
        var h = new Harness(StateMachineSettings.Default with { LockDelayMs = lockDelayMs });
        for (var s = 1; s <= count; s++)
        {
            h.Open(s);
        }
        return h;
    }

    private static Acquire Sem(int maxCount = 2, bool wait = true, long? lease = null) => new(S, LockMode.Shared, wait, lease, maxCount);

    private static long[] Holders(Harness h) => h.Machine.GetLock(S)?.Holders.Select(x => x.SessionId).ToArray() ?? [];

    private static long[] Waiters(Harness h) => h.Machine.GetLock(S)?.Waiters.Select(x => x.SessionId).ToArray() ?? [];

    private static long[] Granted(ApplyResult result) => result.Events.OfType<LockGranted>().Select(g => g.SessionId).ToArray();

    private static long Token(OpResult result) => Assert.IsType<LockAcquiredResult>(result).Token;

    [Fact]
    public void Up_to_max_count_sessions_hold_it_at_once_and_the_next_queues_or_is_refused()
    {
        var h = Sessions();
        Token(h.Do(1, Sem()));
        Token(h.Do(2, Sem()));
        Assert.Equal([1L, 2L], Holders(h));
        Assert.Equal(ErrorCode.LockBusy, h.Code(3, Sem(wait: false)));
        Assert.Equal(new LockQueuedResult(1), h.Do(3, Sem()));
        Assert.Equal([1L, 2L], Holders(h));
        Assert.Equal(2, h.Machine.GetLock(S)!.Capacity);
        Assert.Equal(ErrorCode.LockAlreadyRequested, h.Code(1, Sem()));
        Assert.Equal(ErrorCode.LockAlreadyRequested, h.Code(3, Sem()));
    }

    [Fact]
    public void Waiters_are_granted_in_FIFO_order_one_freed_permit_at_a_time()
    {
        var h = Sessions();
        h.Do(1, Sem());
        h.Do(2, Sem());
        h.Do(3, Sem());
        h.Do(4, Sem());
        h.Do(5, Sem());
        Assert.Equal([3L, 4L, 5L], Waiters(h));
        Assert.Equal([3L], Granted(h.Run(2, new Release(S))));
        Assert.Equal([1L, 3L], Holders(h));
        h.Do(4, new Withdraw(S));
        Assert.Equal([5L], Granted(h.Run(1, new Release(S))));
        Assert.Equal([3L, 5L], Holders(h));
        Assert.Empty(Waiters(h));
    }

    [Fact]
    public void A_permit_freed_during_a_lock_delay_goes_to_the_queue_head_not_a_newcomer()
    {
        var h = Sessions(lockDelayMs: 1_000);
        h.Do(1, Sem());
        h.Do(2, Sem());
        h.Do(3, Sem());
        h.System(new ExpireSession(1));
        Assert.Equal(ErrorCode.LockBusy, h.Code(4, Sem(wait: false)));
        Assert.Equal(new LockQueuedResult(2), h.Do(4, Sem()));
        Assert.Equal([3L], Granted(h.Advance(1_000)));
        Assert.Equal([2L, 3L], Holders(h));
        Assert.Equal([4L], Waiters(h));
    }

    [Fact]
    public void Every_grant_gets_its_own_strictly_greater_token_and_only_current_ones_check()
    {
        var h = Sessions();
        var first = Token(h.Do(1, Sem(maxCount: 3)));
        var second = Token(h.Do(2, Sem(maxCount: 3)));
        h.Do(3, new Acquire("/locks/other", LockMode.Exclusive, true));
        var third = Token(h.Do(4, Sem(maxCount: 3)));
        h.Do(5, Sem(maxCount: 3));
        var granted = h.Run(1, new Release(S)).Events.OfType<LockGranted>().Single();
        Assert.True(first < second && second < third && third < granted.Token, $"{first} {second} {third} {granted.Token}");
        Assert.Equal(ErrorCode.StaleToken, h.Code(2, new CheckToken(S, first)));
        foreach (var current in new[] { second, third, granted.Token })
        {
            Assert.Equal(ErrorCode.Ok, h.Code(2, new CheckToken(S, current)));
        }
    }

    [Fact]
    public void A_closed_holder_frees_its_permit_at_once_and_its_waits_are_dropped()
    {
        var h = Sessions();
        h.Do(1, Sem());
        h.Do(2, Sem());
        h.Do(3, Sem());
        h.Do(4, Sem());
        Assert.Equal([3L], Granted(h.Run(1, CloseSession.Instance)));
        h.Run(4, CloseSession.Instance);
        Assert.Equal([2L, 3L], Holders(h));
        Assert.Empty(Waiters(h));
        h.Run(2, CloseSession.Instance);
        h.Run(3, CloseSession.Instance);
        Assert.Null(h.Machine.GetLock(S));
    }

    [Fact]
    public void An_expired_holder_frees_its_permit_after_the_lock_delay()
    {
        var h = Sessions(lockDelayMs: 2_000);
        h.Do(1, Sem());
        h.Do(2, Sem());
        h.Do(3, Sem());
        Assert.Empty(Granted(h.System(new ExpireSession(1))));
        Assert.Equal([2L], Holders(h));
        Assert.Empty(Granted(h.Advance(1_999)));
        Assert.Equal([3L], Granted(h.Advance(1)));
        Assert.Equal([2L, 3L], Holders(h));

        var none = Sessions(lockDelayMs: 0);
        none.Do(1, Sem());
        none.Do(2, Sem());
        none.Do(3, Sem());
        Assert.Equal([3L], Granted(none.System(new ExpireSession(2))));
    }

    [Fact]
    public void A_leased_permit_outlives_its_session_and_lapses_unless_renewed()
    {
        var h = Sessions();
        h.Do(1, Sem(maxCount: 1, lease: 3_000));
        h.Do(2, Sem(maxCount: 1));
        h.Run(1, CloseSession.Instance);
        Assert.Equal([1L], Holders(h));
        h.Time += 3_001;
        var lapsed = h.System(Tick.Instance);
        Assert.Equal([2L], Granted(lapsed));
        Assert.Equal([2L], Holders(h));
    }

    [Fact]
    public void A_path_is_one_kind_and_one_count_while_its_entry_lives()
    {
        var h = Sessions();
        h.Do(1, Sem(maxCount: 3));
        Assert.Equal(new ErrorResult(ErrorCode.BadArguments, $"{S} is a semaphore of max count 3, not 2"), h.Do(2, Sem(maxCount: 2)));
        Assert.Equal(new ErrorResult(ErrorCode.BadArguments, $"{S} is a semaphore of max count 3, not a lock"), h.Do(2, new Acquire(S, LockMode.Shared, true)));
        h.Do(3, new Acquire("/locks/plain", LockMode.Exclusive, true));
        Assert.Equal(
            new ErrorResult(ErrorCode.BadArguments, "/locks/plain is a lock, not a semaphore"),
            h.Do(2, new Acquire("/locks/plain", LockMode.Shared, true, MaxCount: 2)));
        Assert.Equal([1L], Holders(h));

        h.Do(1, new Release(S));
        Assert.Null(h.Machine.GetLock(S));
        Token(h.Do(2, Sem(maxCount: 2)));
        Assert.Equal(2, h.Machine.GetLock(S)!.Capacity);
    }

    [Fact]
    public void Snapshot_keeps_the_capacity_holders_and_queue()
    {
        var h = Sessions(lockDelayMs: 1_000);
        h.Do(1, Sem(lease: 5_000));
        h.Do(2, Sem());
        h.Do(3, Sem());
        h.Do(4, Sem());
        h.Do(5, new Acquire("/locks/plain", LockMode.Exclusive, true));
        var before = h.Machine.Snapshot();
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, before[0]);
        var info = h.Machine.GetLock(S);
        h.RestoreFromSnapshot();
        Assert.Equal(before, h.Machine.Snapshot());
        var restored = h.Machine.GetLock(S)!;
        Assert.Equal(2, restored.Capacity);
        Assert.Equal(info!.Holders, restored.Holders);
        Assert.Equal(info.Waiters, restored.Waiters);
        Assert.Null(h.Machine.GetLock("/locks/plain")!.Capacity);

        Assert.Equal(ErrorCode.BadArguments, h.Code(6, Sem(maxCount: 5)));
        Assert.Equal(ErrorCode.LockBusy, h.Code(6, Sem(wait: false)));
        Assert.Equal([3L], Granted(h.Run(2, new Release(S))));
        Assert.Equal([1L, 3L], Holders(h));
    }
}
