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

        var captured = h.Machine.CaptureSnapshot();
        h.Do(1, new SetData("/big", new byte[100_000]));
        h.Do(2, new Delete("/a/e0000000000", -1));
        h.Do(2, new Create("/later", new byte[50_000], NodeKind.Persistent));

        Assert.Equal(expected.Length, captured.Length);
        Assert.Equal(expected, captured.Assemble());
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
