using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

[Trait("Category", "Fault")]
public sealed class EphemeralCheckerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromTicks(10);
    private const long TimeoutNanos = 1_000;

    [Fact]
    public void Checks_that_agree_with_the_sessions_pass()
    {
        var history = Sessions()
            .Add(9, "check", "/a", null, null, 0, 5, Outcome.Ok, 0)
            .Add(9, "check", "/a", null, null, 5, 15, Outcome.Ok, 1)
            .Add(9, "check", "/a", null, null, 30, 40, Outcome.Ok, 1)
            .Add(9, "check", "/a", null, null, 95, 105, Outcome.Ok, 1)
            .Add(9, "check", "/a", null, null, 120, 130, Outcome.Ok, 0)
            .Add(9, "check", "/b", null, null, 30, 40, Outcome.Ok, 0)
            .Add(9, "check", "/b", null, null, 300 + TimeoutNanos - 10, 300 + TimeoutNanos - 5, Outcome.Ok, 1)
            .Add(9, "check", "/b", null, null, 300 + TimeoutNanos + 10, 300 + TimeoutNanos + 20, Outcome.Ok, 0)
            .Add(9, "check", "/a", null, null, 2_000, 2_010, Outcome.Ok, 1)
            .Build();
        var result = EphemeralChecker.Check(history, Timeout);
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Node_seen_after_its_session_closed_is_rejected()
    {
        var history = Sessions().Add(9, "check", "/a", null, null, 150, 160, Outcome.Ok, 1).Build();
        AssertInvalid(history, "node \"/a\" seen present when no session could hold it");
    }

    [Fact]
    public void Node_seen_after_expiry_plus_timeout_is_rejected()
    {
        var history = Sessions().Add(9, "check", "/b", null, null, 300 + TimeoutNanos + 1, 300 + TimeoutNanos + 5, Outcome.Ok, 1).Build();
        AssertInvalid(history, "node \"/b\" seen present");
    }

    [Fact]
    public void Node_seen_before_any_session_opened_it_is_rejected()
    {
        var history = new HistoryBuilder()
            .Add(9, "check", "/c", null, null, 0, 5, Outcome.Ok, 1)
            .Add(1, "open", "/c", null, null, 10, 20, Outcome.Ok, null)
            .Build();
        AssertInvalid(history, "node \"/c\" seen present");
    }

    [Fact]
    public void Node_seen_absent_while_its_session_surely_lived_is_rejected()
    {
        var history = Sessions().Add(9, "check", "/a", null, null, 30, 40, Outcome.Ok, 0).Build();
        var result = AssertInvalid(history, "node \"/a\" seen absent while its session surely held it");
        Assert.Contains("owner #1 client 1 open()", result.Explanation);
    }

    [Fact]
    public void An_election_before_the_deadline_gives_an_abandoned_session_a_fresh_timeout()
    {
        // Expired at 300: gone by 300 + timeout, unless a leader elected before then restarted the clock.
        var seenLate = Sessions().Add(9, "check", "/b", null, null, 300 + TimeoutNanos + 1, 300 + TimeoutNanos + 5, Outcome.Ok, 1);
        var elected = seenLate.Add(0, "leader", "cluster", 2, null, 300 + TimeoutNanos / 2, 300 + TimeoutNanos / 2, Outcome.Ok, null).Build();
        Assert.True(EphemeralChecker.Check(elected, Timeout).IsValid);

        var seenTooLate = Sessions()
            .Add(0, "leader", "cluster", 2, null, 300 + TimeoutNanos / 2, 300 + TimeoutNanos / 2, Outcome.Ok, null)
            .Add(9, "check", "/b", null, null, 300 + TimeoutNanos * 2, 300 + TimeoutNanos * 2 + 5, Outcome.Ok, 1)
            .Build();
        AssertInvalid(seenTooLate, "node \"/b\" seen present");
    }

    [Fact]
    public void A_leader_lost_before_the_deadline_leaves_the_session_until_the_next_leaders_timeout()
    {
        // Leader 2 sits from 0; the client stops at 300; leader 2 is killed at 300 + timeout / 2, before it could
        // expire the session; replica 3 only leads at 300 + timeout * 2, whose fresh timeout runs to 300 + timeout * 3.
        var history = Sessions()
            .Add(0, "leader", "cluster", 2, null, 0, 0, Outcome.Ok, null)
            .Add(0, "fault", "cluster", 2, null, 300 + TimeoutNanos / 2, 300 + TimeoutNanos / 2, Outcome.Ok, null)
            .Add(0, "leader", "cluster", 3, null, 300 + TimeoutNanos * 2, 300 + TimeoutNanos * 2, Outcome.Ok, null);
        var seenWithinNewTimeout = history.Add(9, "check", "/b", null, null, 300 + TimeoutNanos * 3 - 10, 300 + TimeoutNanos * 3 - 5, Outcome.Ok, 1).Build();
        Assert.True(EphemeralChecker.Check(seenWithinNewTimeout, Timeout).IsValid);

        var followerFault = Sessions()
            .Add(0, "leader", "cluster", 2, null, 0, 0, Outcome.Ok, null)
            .Add(0, "fault", "cluster", 1, null, 300 + TimeoutNanos / 2, 300 + TimeoutNanos / 2, Outcome.Ok, null)
            .Add(9, "check", "/b", null, null, 300 + TimeoutNanos + 1, 300 + TimeoutNanos + 5, Outcome.Ok, 1)
            .Build();
        AssertInvalid(followerFault, "node \"/b\" seen present");
    }

    [Fact]
    public void Killed_session_proves_nothing_about_absence()
    {
        var history = Sessions().Add(9, "check", "/b", null, null, 100, 110, Outcome.Ok, 0).Build();
        Assert.True(EphemeralChecker.Check(history, Timeout).IsValid);
    }

    /// <summary>
    /// Client 1 opens /a at [10, 20] and closes at [100, 120]; client 2 opens /b at [10, 20] and is killed at
    /// [200, 300]; client 1 later starts a new session that owns /a again from 1 000 on.
    /// </summary>
    private static HistoryBuilder Sessions() => new HistoryBuilder()
        .Add(1, "open", "/a", null, null, 10, 20, Outcome.Ok, null)
        .Add(2, "open", "/b", null, null, 10, 20, Outcome.Ok, null)
        .Add(1, "close", "/a", null, null, 100, 120, Outcome.Ok, null)
        .Add(2, "expire", "/b", null, null, 200, 300, Outcome.Ok, null)
        .Add(1, "open", "/a", null, null, 1_000, 1_010, Outcome.Ok, null);

    private static CheckResult AssertInvalid(IReadOnlyList<Operation> history, string expectedInExplanation)
    {
        var result = EphemeralChecker.Check(history, Timeout);
        Assert.True(result.Verdict == Verdict.Invalid, result.ToString());
        Assert.Contains(expectedInExplanation, result.Explanation);
        return result;
    }
}
