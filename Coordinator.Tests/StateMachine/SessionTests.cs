using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;
using static Coordinator.Tests.StateMachine.Harness;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

[Trait("Category", "StateMachine")]
public sealed class SessionTests
{
    [Theory]
    [InlineData(1, 4_000)]
    [InlineData(10_000, 10_000)]
    [InlineData(int.MaxValue, 40_000)]
    [InlineData(-5, 4_000)]
    public void Timeout_is_negotiated_within_bounds(int requested, int negotiated)
    {
        var h = new Harness();
        var result = h.Apply(5, 1, new CreateSession(requested, 99));
        Assert.Equal(new SessionCreatedResult(5, negotiated), result.Result);
        Assert.Equal(negotiated, h.Machine.GetSession(5)!.TimeoutMs);
    }

    [Fact]
    public void Retried_create_returns_the_first_result_and_a_clash_is_refused()
    {
        var h = new Harness();
        var first = h.Apply(5, 1, new CreateSession(10_000, 99));
        Assert.Same(first.Result, h.Apply(5, 1, new CreateSession(10_000, 99)).Result);
        Assert.Equal(ErrorCode.SessionExists, h.Apply(5, 1, new CreateSession(10_000, 100)).Code);
        Assert.Equal(ErrorCode.SessionExists, h.Apply(5, 2, new CreateSession(10_000, 99)).Code);
        Assert.Equal(ErrorCode.StaleSequence, h.Apply(5, 0, new CreateSession(10_000, 99)).Code);
    }

    [Fact]
    public void A_late_copy_of_an_ended_sessions_create_does_not_bring_it_back_until_its_tombstone_lapses()
    {
        var h = new Harness();
        h.Apply(5, 1, new CreateSession(10_000, 99));
        Assert.True(h.System(new ExpireSession(5)).Result.IsOk);

        Assert.Equal(ErrorCode.SessionExpired, h.Apply(5, 1, new CreateSession(10_000, 99)).Code);
        Assert.Null(h.Machine.GetSession(5));
        h.RestoreFromSnapshot();
        Assert.Equal(ErrorCode.SessionExpired, h.Apply(5, 1, new CreateSession(10_000, 99)).Code);

        h.Advance(h.Machine.Settings.EndedSessionRetentionMs);
        Assert.IsType<SessionCreatedResult>(h.Apply(5, 1, new CreateSession(10_000, 99)).Result);
    }

    [Fact]
    public void Commands_need_a_live_session()
    {
        var h = new Harness();
        Assert.Equal(ErrorCode.SessionExpired, h.Apply(77, 1, Persistent("/x")).Code);
        Assert.Equal(ErrorCode.NotAllowed, h.System(Persistent("/x")).Code);
        Assert.Equal(ErrorCode.NotAllowed, h.System(CloseSession.Instance).Code);
        Assert.Equal(ErrorCode.SessionExpired, h.System(new ExpireSession(77)).Code);
        Assert.Equal(ErrorCode.SessionExpired, h.System(new TouchSession(77)).Code);
        Assert.Equal(ErrorCode.BadArguments, h.Apply(77, 1, null!).Code);
    }

    [Fact]
    public void Duplicate_returns_the_cached_result_and_an_older_sequence_is_stale()
    {
        var h = new Harness();
        h.Open(5);
        var first = h.Apply(5, 2, new Create("/s-", [], NodeKind.PersistentSequential));
        var before = h.Machine.Snapshot();
        var again = h.Apply(5, 2, new Create("/s-", [], NodeKind.PersistentSequential));
        Assert.Same(first.Result, again.Result);
        Assert.Empty(again.Events);
        TreeOperationTests.AssertSameTreeAndLocks(before, h.Machine.Snapshot());
        Assert.Equal(ErrorCode.StaleSequence, h.Apply(5, 1, Persistent("/other")).Code);
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/other").Code);
        Assert.Equal(ErrorCode.Ok, h.Apply(5, 10, Persistent("/gap-ok")).Code);
        Assert.Equal(10, h.Machine.GetSession(5)!.LastSequence);
    }

    [Fact]
    public void Expiry_removes_exactly_that_sessions_ephemerals_in_the_same_slot()
    {
        var h = new Harness();
        h.Open(1);
        h.Open(2);
        h.Do(1, Persistent("/app"));
        h.Do(1, new Create("/app/one-a", [], NodeKind.Ephemeral));
        h.Do(2, new Create("/app/two", [], NodeKind.Ephemeral));
        h.Do(1, new Create("/one-b", [], NodeKind.EphemeralSequential));
        h.Do(1, Persistent("/app/keep"));
        var result = h.System(new ExpireSession(1));
        Assert.Equal(ErrorCode.Ok, result.Code);
        Assert.Equal(
            ["SessionExpired", "-/app/one-a", "*/app", "-/one-b0000000001", "*/"],
            result.Events.Select(e => e is SessionExpired ? "SessionExpired" : TreeOperationTests.Describe(e)));
        Assert.All(result.Events, e => Assert.Equal(h.Slot, e.Slot));
        Assert.Equal(["keep", "two"], h.Machine.GetChildren("/app").Children);
        Assert.Null(h.Machine.GetSession(1));
        Assert.Equal(ErrorCode.SessionExpired, h.Apply(1, 99, Sync.Instance).Code);
        Assert.Equal(["/app/two"], h.Machine.GetSession(2)!.Ephemerals);
    }

    [Fact]
    public void Close_removes_ephemerals_and_drops_the_exactly_once_entry()
    {
        var h = new Harness();
        h.Open(1);
        h.Do(1, new Create("/e", [], NodeKind.Ephemeral));
        var closed = h.Run(1, CloseSession.Instance);
        Assert.Equal(ErrorCode.Ok, closed.Code);
        Assert.IsType<SessionClosed>(closed.Events[0]);
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/e").Code);
        Assert.Empty(h.Machine.SessionIds());
    }

    [Fact]
    public void Touch_and_commands_move_the_replicated_deadline()
    {
        var h = new Harness();
        h.Open(1, 10_000);
        h.Open(2, 5_000);
        var start = h.Time;
        Assert.Empty(h.Machine.SessionsExpiredAt(start + 5_000));
        Assert.Equal([2L], h.Machine.SessionsExpiredAt(start + 5_001));
        h.Time += 4_000;
        h.System(new TouchSession(2));
        h.Time += 4_000;
        h.Do(1, Sync.Instance);
        Assert.Empty(h.Machine.SessionsExpiredAt(start + 9_000));
        Assert.Equal([1L, 2L], h.Machine.SessionsExpiredAt(start + 30_000));
        Assert.Equal(start + 18_000, h.Machine.GetSession(1)!.Deadline);
    }

    [Fact]
    public void Slots_must_not_go_backwards_and_time_never_does()
    {
        var machine = new CoordinatorStateMachine();
        machine.Apply(10, SlotTime.Untermed(5_000), 3, 1, new CreateSession(10_000, 1));
        Assert.Equal(ErrorCode.SlotRegression, machine.Apply(9, SlotTime.Untermed(6_000), 3, 2, Sync.Instance).Code);
        Assert.Equal(ErrorCode.Ok, machine.Apply(10, SlotTime.Untermed(4_000), 3, 2, Sync.Instance).Code);
        Assert.Equal(5_000, machine.Now);
        var created = Assert.IsType<CreatedResult>(machine.Apply(11, SlotTime.Untermed(1), 3, 3, Persistent("/t")).Result);
        Assert.Equal(5_000, created.Stat.CreatedTime);
    }
}
