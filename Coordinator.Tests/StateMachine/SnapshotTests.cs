using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;
using static Coordinator.Tests.StateMachine.Harness;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

[Trait("Category", "StateMachine")]
public sealed class SnapshotTests
{
    private static Harness Busy()
    {
        var h = new Harness();
        h.Open(1);
        h.Open(2);
        h.Do(1, Persistent("/a", "data"));
        h.Do(1, new Create("/a/e", [1], NodeKind.EphemeralSequential));
        h.Do(2, new Create("/t", [], NodeKind.PersistentWithTtl, 5_000));
        h.Do(2, new Create("/c", [], NodeKind.Container));
        h.Do(2, new SetData("/", Bytes("root")));
        h.Do(1, new Acquire("/l", LockMode.Exclusive, true, 3_000));
        h.Do(2, new Acquire("/l", LockMode.Shared, true));
        h.Open(3);
        h.Do(1, new Acquire("/s", LockMode.Shared, true, 4_000, MaxCount: 1));
        h.Do(3, new Acquire("/s", LockMode.Shared, true, MaxCount: 1));
        h.Open(4);
        h.Do(4, new Acquire("/u", LockMode.Shared, true));
        h.Do(3, new Acquire("/u", LockMode.Upgradeable, true));
        h.Do(3, new Upgrade("/u", true));
        return h;
    }

    [Fact]
    public void A_captured_snapshot_assembled_after_later_applies_is_the_state_at_its_capture()
    {
        var h = Busy();
        var big = new byte[100_000];
        Array.Fill(big, (byte)7);
        h.Do(1, new Create("/big", big, NodeKind.Persistent));
        var expected = h.Machine.Snapshot();

        var capture = h.Machine.BeginSnapshot();
        Assert.True(capture.Advance(int.MaxValue));
        var captured = capture.Result;
        h.Do(1, new SetData("/big", new byte[100_000]));
        h.Do(2, new Delete("/a/e0000000000", -1));
        h.Do(2, new Create("/later", new byte[50_000], NodeKind.Persistent));

        Assert.Equal(expected.Length, captured.Length);
        Assert.Equal(expected, captured.Assemble());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_snapshot_written_in_slices_equals_one_written_at_once_and_no_apply_may_change_the_state_meanwhile(int nodesPerSlice)
    {
        var h = Busy();
        var expected = h.Machine.Snapshot();

        var capture = h.Machine.BeginSnapshot();
        var slices = 1;
        while (!capture.Advance(nodesPerSlice))
        {
            Assert.Throws<InvalidOperationException>(() => h.Machine.Apply(h.Slot + 1, SlotTime.Untermed(h.Time), 1, 100, new SetData("/a", [], -1)));
            Assert.Equal("data", global::System.Text.Encoding.UTF8.GetString(h.Machine.GetData("/a").Data.Span));
            slices++;
        }

        Assert.True(slices > 2, $"{slices} slices");
        Assert.Equal(expected, capture.Result.Assemble());
        Assert.IsType<StatResult>(h.Do(1, new SetData("/a", [], -1)));
    }

    [Fact]
    public void Restore_reproduces_tree_sessions_and_exactly_once_entries()
    {
        var h = Busy();
        var before = h.Machine.Snapshot();
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, before[0]);
        var dump = TreeOperationTests.Dump(h.Machine);
        var session = h.Machine.GetSession(1);
        h.RestoreFromSnapshot();
        Assert.Equal(before, h.Machine.Snapshot());
        Assert.Equal(dump, TreeOperationTests.Dump(h.Machine));
        Assert.Equal(session!.Ephemerals, h.Machine.GetSession(1)!.Ephemerals);
        Assert.Equal(session.Locks, h.Machine.GetSession(1)!.Locks);
        Assert.Equal("root", global::System.Text.Encoding.UTF8.GetString(h.Machine.GetData("/").Data.Span));
        Assert.IsType<LockQueuedResult>(h.Apply(2, 5, new Acquire("/l", LockMode.Shared, true)).Result);
    }

    [Fact]
    public void Timers_survive_restore()
    {
        var h = Busy();
        h.RestoreFromSnapshot();
        h.Time += 5_001;
        var events = h.System(Tick.Instance).Events;
        Assert.Contains(new NodeDeleted("/t", h.Slot), events);
        Assert.Contains(events, e => e is LockLost { SessionId: 1 });
        Assert.Contains(h.Advance(h.Machine.Settings.LockDelayMs).Events, e => e is LockGranted { SessionId: 2 });
    }

    /// <summary>
    /// Format 3, from before semaphores: sessions 1 and 2, session 1 holding /l shared with a 3 s lease and session 2
    /// queued for it exclusively. Taken from the format-3 writer.
    /// </summary>
    private const string FormatThreeSnapshot =
        "030400000000000000D0430F0000000000D0430F0000000000000000000000000000000000000000000000000000000000D0430F00000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000200000001000000000000001027000007000000000000006C430F00000000000200000000000000010601000000000000000200000000000000102700000E00000000000000D0430F0000000000020000000000000001070100000001000000020000002F6C0001000000010000000000000001010000000000000001B80B0000000000006C430F0000000000010000000200000000000000000000000000";

    [Fact]
    public void A_format_three_snapshot_restores_its_locks_as_locks_and_is_written_back_in_the_current_format()
    {
        var machine = CoordinatorStateMachine.Restore(Convert.FromHexString(FormatThreeSnapshot));
        var restored = machine.GetLock("/l")!;
        Assert.Null(restored.Capacity);
        Assert.Equal([(1L, LockMode.Shared, 1L)], restored.Holders.Select(x => (x.SessionId, x.Mode, x.Token)));
        Assert.Equal([new LockWaiter(2, LockMode.Exclusive, null)], restored.Waiters);
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, machine.Snapshot()[0]);
        Assert.Equal(machine.Snapshot(), CoordinatorStateMachine.Restore(machine.Snapshot()).Snapshot());

        var refused = machine.Apply(machine.LastAppliedSlot + 1, SlotTime.Untermed(1_000_500), 1, 3, new Acquire("/l", LockMode.Shared, true, MaxCount: 2));
        Assert.Equal(new ErrorResult(ErrorCode.BadArguments, "/l is a lock, not a semaphore"), refused.Result);
    }

    /// <summary>
    /// Format 4, from before upgradeable locks: sessions 1-3, session 1 holding /rw shared with session 2 queued for it
    /// exclusively, and the semaphore /s of max count 2 held by session 1 (with a 4 s lease) and session 3. Taken from
    /// the format-4 writer.
    /// </summary>
    private const string FormatFourSnapshot =
        "04070000000000000040420F000000000040420F000000000000000000000000000000000000000000000000000000000040420F000000000000000000000000000300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003000000010000000000000010270000070000000000000040420F00000000000300000000000000010602000000000000000200000000000000102700000E0000000000000040420F00000000000200000000000000010701000000030000000000000010270000150000000000000040420F000000000002000000000000000106030000000000000002000000030000002F727700000000000100000001000000000000000101000000000000000040420F00000000000100000002000000000000000000020000002F73000200000002000000010000000000000001020000000000000001A00F00000000000040420F000000000003000000000000000103000000000000000040420F00000000000000000000000000";

    [Fact]
    public void A_format_four_snapshot_restores_without_pending_upgrades_and_is_written_back_in_the_current_format()
    {
        var machine = CoordinatorStateMachine.Restore(Convert.FromHexString(FormatFourSnapshot));
        var rw = machine.GetLock("/rw")!;
        Assert.False(rw.UpgradePending);
        Assert.Equal([(1L, LockMode.Shared, 1L)], rw.Holders.Select(x => (x.SessionId, x.Mode, x.Token)));
        Assert.Equal([new LockWaiter(2, LockMode.Exclusive, null)], rw.Waiters);
        var semaphore = machine.GetLock("/s")!;
        Assert.Equal(2, semaphore.Capacity);
        Assert.Equal([1L, 3L], semaphore.Holders.Select(x => x.SessionId));
        Assert.Equal(CoordinatorStateMachine.SnapshotFormatVersion, machine.Snapshot()[0]);
        Assert.Equal(machine.Snapshot(), CoordinatorStateMachine.Restore(machine.Snapshot()).Snapshot());

        var upgradeable = machine.Apply(machine.LastAppliedSlot + 1, SlotTime.Untermed(1_000_500), 3, 3, new Acquire("/u", LockMode.Upgradeable, true));
        Assert.IsType<LockAcquiredResult>(upgradeable.Result);
    }

    [Fact]
    public void Corrupt_snapshots_fail_with_a_format_exception_only()
    {
        var good = Busy().Machine.Snapshot();
        Assert.Throws<WireFormatException>(() => CoordinatorStateMachine.Restore([9, .. good[1..]]));
        var rng = new Random(3);
        for (var i = 0; i < 3_000; i++)
        {
            var bad = i % 2 == 0 ? good[..rng.Next(good.Length)] : (byte[])good.Clone();
            if (i % 2 == 1)
            {
                bad[rng.Next(bad.Length)] ^= (byte)rng.Next(1, 256);
            }
            try
            {
                CoordinatorStateMachine.Restore(bad);
            }
            catch (FormatException)
            {
            }
        }
    }
}
