using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Tests.StateMachine;

namespace Coordinator.Tests.Locks;

/// <summary>
/// Upgradeable reads: beside readers, never beside another upgradeable or a writer; Upgrade makes the holder the
/// writer once the readers are gone, with readers arriving meanwhile queued behind it, and a new fencing token.
/// </summary>
[Trait("Category", "Locks")]
public sealed class UpgradeableLockTests
{
    private const string L = "/locks/rw";

    private static Harness Sessions(long lockDelayMs = 0, int count = 6)
    {
        var h = new Harness(StateMachineSettings.Default with { LockDelayMs = lockDelayMs });
        for (var s = 1; s <= count; s++)
        {
            h.Open(s);
        }
        return h;
    }

    private static Acquire Read(bool wait = true) => new(L, LockMode.Shared, wait);

    private static Acquire Upgradeable(bool wait = true, long? lease = null) => new(L, LockMode.Upgradeable, wait, lease);

    private static Acquire Write(bool wait = true) => new(L, LockMode.Exclusive, wait);

    private static Upgrade Up(bool wait = true) => new(L, wait);

    private static (long Session, LockMode Mode)[] Holders(Harness h) =>
        h.Machine.GetLock(L)?.Holders.Select(x => (x.SessionId, x.Mode)).ToArray() ?? [];

    private static long[] Waiters(Harness h) => h.Machine.GetLock(L)?.Waiters.Select(x => x.SessionId).ToArray() ?? [];

    private static LockGranted[] Granted(ApplyResult result) => [.. result.Events.OfType<LockGranted>()];

    private static long Token(OpResult result) => Assert.IsType<LockAcquiredResult>(result).Token;

    [Fact]
    public void An_upgradeable_read_goes_beside_readers_but_not_beside_another_upgradeable_or_a_writer()
    {
        var h = Sessions();
        Token(h.Do(1, Read()));
        Token(h.Do(2, Upgradeable()));
        Token(h.Do(3, Read()));
        Assert.Equal([(1L, LockMode.Shared), (2L, LockMode.Upgradeable), (3L, LockMode.Shared)], Holders(h));
        Assert.Equal(ErrorCode.LockBusy, h.Code(4, Upgradeable(wait: false)));
        Assert.Equal(ErrorCode.LockBusy, h.Code(4, Write(wait: false)));

        var w = Sessions();
        Token(w.Do(1, Write()));
        Assert.Equal(ErrorCode.LockBusy, w.Code(2, Upgradeable(wait: false)));
        Assert.Equal(new LockQueuedResult(1), w.Do(2, Upgradeable()));
        Assert.Equal([(2L, LockMode.Upgradeable)], Granted(w.Run(1, new Release(L))).Select(g => (g.SessionId, g.Mode)));
    }

    [Fact]
    public void Waiting_upgradeables_and_writers_go_in_FIFO_order_and_readers_never_pass_them()
    {
        var h = Sessions();
        h.Do(1, Upgradeable());
        Assert.Equal(new LockQueuedResult(1), h.Do(2, Upgradeable()));
        Assert.Equal(new LockQueuedResult(2), h.Do(3, Read()));
        Assert.Equal(new LockQueuedResult(3), h.Do(4, Write()));
        Assert.Equal([2L, 3L], Granted(h.Run(1, new Release(L))).Select(g => g.SessionId));
        Assert.Equal([(2L, LockMode.Upgradeable), (3L, LockMode.Shared)], Holders(h));
        Assert.Equal([4L], Waiters(h));
        h.Do(2, new Release(L));
        Assert.Equal([4L], Granted(h.Run(3, new Release(L))).Select(g => g.SessionId));
    }

    [Fact]
    public void An_upgrade_alone_is_granted_at_once_with_a_token_above_every_earlier_one()
    {
        var h = Sessions();
        var read = Token(h.Do(1, Upgradeable()));
        var other = Token(h.Do(2, new Acquire("/locks/other", LockMode.Exclusive, true)));
        var write = Token(h.Do(1, Up()));
        Assert.True(read < other && other < write, $"{read} {other} {write}");
        Assert.Equal([(1L, LockMode.Exclusive)], Holders(h));
        Assert.Equal(ErrorCode.StaleToken, h.Code(3, new CheckToken(L, read)));
        Assert.Equal(ErrorCode.Ok, h.Code(3, new CheckToken(L, write)));
        Assert.Equal(ErrorCode.LockBusy, h.Code(2, Read(wait: false)));
        Assert.Equal(ErrorCode.Ok, h.Code(1, new Release(L)));
        Assert.Null(h.Machine.GetLock(L));
    }

    [Fact]
    public void A_waiting_upgrade_holds_off_new_readers_and_is_granted_when_the_last_reader_leaves()
    {
        var h = Sessions();
        h.Do(1, Read());
        h.Do(2, Upgradeable());
        h.Do(3, Read());
        Assert.Equal(ErrorCode.LockBusy, h.Code(2, Up(wait: false)));
        Assert.Equal(new LockQueuedResult(1), h.Do(2, Up()));
        Assert.True(h.Machine.GetLock(L)!.UpgradePending);
        Assert.Equal(ErrorCode.LockAlreadyRequested, h.Code(2, Up()));

        Assert.Equal(ErrorCode.LockBusy, h.Code(4, Read(wait: false)));
        Assert.IsType<LockQueuedResult>(h.Do(4, Read()));
        Assert.IsType<LockQueuedResult>(h.Do(5, Write()));
        Assert.Empty(Granted(h.Run(1, new Release(L))));
        var before = h.Machine.GetLock(L)!.Holders.Single(x => x.SessionId == 2).Token;

        var upgraded = Granted(h.Run(3, new Release(L))).Single();
        Assert.Equal((2L, LockMode.Exclusive), (upgraded.SessionId, upgraded.Mode));
        Assert.True(upgraded.Token > before);
        Assert.Equal([(2L, LockMode.Exclusive)], Holders(h));
        Assert.False(h.Machine.GetLock(L)!.UpgradePending);
        Assert.Equal([4L, 5L], Waiters(h));
        Assert.Equal([4L], Granted(h.Run(2, new Release(L))).Select(g => g.SessionId));
    }

    [Fact]
    public void A_withdrawn_upgrade_keeps_the_upgradeable_hold_and_lets_the_readers_queued_behind_it_in()
    {
        var h = Sessions();
        h.Do(1, Read());
        var token = Token(h.Do(2, Upgradeable()));
        h.Do(2, Up());
        h.Do(3, Read());
        h.Do(4, Write());
        var withdrawn = h.Run(2, new Withdraw(L));
        Assert.Equal(ErrorCode.Ok, withdrawn.Code);
        Assert.Equal([3L], Granted(withdrawn).Select(g => g.SessionId));
        Assert.Equal([(1L, LockMode.Shared), (2L, LockMode.Upgradeable), (3L, LockMode.Shared)], Holders(h));
        Assert.Equal(ErrorCode.Ok, h.Code(5, new CheckToken(L, token)));
        Assert.Equal(ErrorCode.NotLockWaiter, h.Code(2, new Withdraw(L)));
        Assert.Contains(L, h.Machine.GetSession(2)!.Locks);

        Assert.IsType<LockQueuedResult>(h.Do(2, Up()));
        h.Do(1, new Release(L));
        Assert.Equal([2L], Granted(h.Run(3, new Release(L))).Select(g => g.SessionId));
    }

    [Fact]
    public void Only_an_upgradeable_holder_upgrades()
    {
        var h = Sessions();
        h.Do(1, Read());
        h.Do(2, Write());
        Assert.Equal(new ErrorResult(ErrorCode.BadArguments, $"{L} is held Shared: only an Upgradeable hold upgrades"), h.Do(1, Up()));
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(2, Up()));
        Assert.Equal(ErrorCode.NotLockHolder, h.Code(3, Up()));
        Assert.Equal(ErrorCode.InvalidPath, h.Code(3, new Upgrade("no-slash", true)));
        Assert.Equal(
            new ErrorResult(ErrorCode.BadArguments, "a semaphore is held Shared, not Upgradeable"),
            h.Do(3, new Acquire("/locks/s", LockMode.Upgradeable, true, MaxCount: 2)));
    }

    [Fact]
    public void A_holder_that_goes_takes_its_pending_upgrade_with_it()
    {
        var released = Sessions();
        released.Do(1, Read());
        released.Do(2, Upgradeable());
        released.Do(2, Up());
        released.Do(3, Read());
        Assert.Equal([3L], Granted(released.Run(2, new Release(L))).Select(g => g.SessionId));
        Assert.False(released.Machine.GetLock(L)!.UpgradePending);

        var closed = Sessions();
        closed.Do(1, Read());
        closed.Do(2, Upgradeable());
        closed.Do(2, Up());
        closed.Do(3, Upgradeable());
        Assert.Equal([3L], Granted(closed.Run(2, CloseSession.Instance)).Select(g => g.SessionId));
        Assert.Equal([(1L, LockMode.Shared), (3L, LockMode.Upgradeable)], Holders(closed));
        Assert.False(closed.Machine.GetLock(L)!.UpgradePending);
    }

    [Fact]
    public void A_leased_upgradeable_whose_session_ends_keeps_its_hold_but_not_its_upgrade()
    {
        var h = Sessions();
        h.Do(1, Read());
        h.Do(2, Upgradeable(lease: 5_000));
        h.Do(2, Up());
        h.Do(3, Read());
        Assert.Equal([3L], Granted(h.Run(2, CloseSession.Instance)).Select(g => g.SessionId));
        Assert.Equal([(1L, LockMode.Shared), (2L, LockMode.Upgradeable), (3L, LockMode.Shared)], Holders(h));
        Assert.False(h.Machine.GetLock(L)!.UpgradePending);
        h.Do(1, new Release(L));
        Assert.Empty(Granted(h.Run(3, new Release(L))));
    }

    [Fact]
    public void An_upgrade_waits_out_the_lock_delay_of_a_vanished_reader()
    {
        var h = Sessions(lockDelayMs: 1_000);
        h.Do(1, Read());
        h.Do(2, Upgradeable());
        Assert.Empty(Granted(h.System(new ExpireSession(1))));
        Assert.Equal(ErrorCode.LockBusy, h.Code(2, Up(wait: false)));
        Assert.IsType<LockQueuedResult>(h.Do(2, Up()));
        Assert.Empty(Granted(h.Advance(999)));
        Assert.Equal([(2L, LockMode.Exclusive)], Granted(h.Advance(1)).Select(g => (g.SessionId, g.Mode)));
    }

    [Fact]
    public void A_leased_upgradeable_upgrades_into_a_lease_that_counts_from_the_upgrade()
    {
        var h = Sessions();
        h.Do(1, Upgradeable(lease: 3_000));
        h.Time += 2_000;
        Token(h.Do(1, Up()));
        var holder = h.Machine.GetLock(L)!.Holders.Single();
        Assert.Equal(LockMode.Exclusive, holder.Mode);
        Assert.Equal(h.Time + 3_000, holder.LeaseDeadline);
        h.Do(2, Read());
        Assert.Empty(Granted(h.Advance(2_000)));
        Assert.Equal([2L], Granted(h.Advance(1_001)).Select(g => g.SessionId));
    }

    [Fact]
    public void Snapshot_keeps_the_upgradeable_holder_and_its_pending_upgrade()
    {
        var h = Sessions();
        h.Do(1, Read());
        h.Do(2, Upgradeable());
        h.Do(2, Up());
        h.Do(3, Read());
        var before = h.Machine.Snapshot();
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, before[0]);
        h.RestoreFromSnapshot();
        Assert.Equal(before, h.Machine.Snapshot());
        Assert.True(h.Machine.GetLock(L)!.UpgradePending);
        Assert.Equal([(1L, LockMode.Shared), (2L, LockMode.Upgradeable)], Holders(h));
        Assert.Equal(ErrorCode.LockBusy, h.Code(4, Read(wait: false)));
        Assert.Equal([(2L, LockMode.Exclusive)], Granted(h.Run(1, new Release(L))).Select(g => (g.SessionId, g.Mode)));
    }

    [Fact]
    public void A_release_that_throws_anywhere_leaves_the_pending_upgrade_as_it_was()
    {
        for (var mutation = 1; ; mutation++)
        {
            var h = Sessions();
            h.Do(1, Read());
            h.Do(2, Upgradeable());
            h.Do(2, Up());
            var before = h.Machine.Snapshot();
            h.Machine.FaultAtMutation = mutation;
            var result = h.Run(1, new Release(L));
            h.Machine.FaultAtMutation = 0;
            if (result.Code == ErrorCode.Ok)
            {
                Assert.True(mutation > 4, $"the release and upgrade made only {mutation - 1} mutations");
                Assert.Equal([(2L, LockMode.Exclusive)], Granted(result).Select(g => (g.SessionId, g.Mode)));
                return;
            }
            Assert.Equal(ErrorCode.SystemError, result.Code);
            Assert.Empty(result.Events);
            Assert.Equal(before, h.Machine.Snapshot());
        }
    }
}
