using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

[Trait("Category", "Fault")]
public sealed class LockCheckerTests
{
    [Fact]
    public void Increasing_tokens_and_fenced_writes_pass()
    {
        var history = new HistoryBuilder()
            .Add(1, "acquire", "lock", null, null, 0, 10, Outcome.Ok, 5)
            .Add(1, "fenced-write", "register", 100, 5, 20, 30, Outcome.Ok, null)
            .Add(2, "acquire", "lock", null, null, 25, null, Outcome.Unknown, null)
            .Add(1, "release", "lock", null, null, 40, 50, Outcome.Ok, null)
            .Add(3, "acquire", "lock", null, null, 45, 60, Outcome.Ok, 9)
            .Add(1, "fenced-write", "register", 101, 5, 65, 70, Outcome.Failed, null)
            .Add(3, "fenced-write", "register", 102, 9, 70, 80, Outcome.Ok, null)
            .Add(3, "fenced-write", "register", 103, 9, 90, 95, Outcome.Ok, null)
            .Build();
        var result = LockChecker.Check(history);
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Overlapping_grants_may_carry_tokens_in_either_order()
    {
        var history = new HistoryBuilder()
            .Add(1, "acquire", "lock", null, null, 0, 100, Outcome.Ok, 9)
            .Add(2, "acquire", "lock", null, null, 10, 50, Outcome.Ok, 5)
            .Build();
        Assert.True(LockChecker.Check(history).IsValid);
    }

    [Fact]
    public void Token_granted_twice_is_rejected()
    {
        var history = new HistoryBuilder()
            .Add(1, "acquire", "lock", null, null, 0, 100, Outcome.Ok, 5)
            .Add(2, "acquire", "lock", null, null, 10, 50, Outcome.Ok, 5)
            .Build();
        AssertInvalid(history, "granted token 5 more than once");
    }

    [Fact]
    public void Token_lower_than_an_earlier_completed_grant_is_rejected()
    {
        var history = new HistoryBuilder()
            .Add(1, "acquire", "lock", null, null, 0, 10, Outcome.Ok, 7)
            .Add(2, "acquire", "lock", null, null, 20, 30, Outcome.Ok, 8)
            .Add(3, "acquire", "lock", null, null, 40, 50, Outcome.Ok, 6)
            .Build();
        var result = AssertInvalid(history, "granted token 6 after an earlier grant of token 8");
        Assert.Contains("#3 client 3 acquire()", result.Explanation);
    }

    [Fact]
    public void Stale_token_accepted_after_a_newer_one_is_rejected()
    {
        var history = new HistoryBuilder()
            .Add(1, "acquire", "lock", null, null, 0, 10, Outcome.Ok, 5)
            .Add(2, "acquire", "lock", null, null, 20, 30, Outcome.Ok, 9)
            .Add(2, "fenced-write", "register", 200, 9, 40, 50, Outcome.Ok, null)
            .Add(1, "fenced-write", "register", 100, 5, 60, 70, Outcome.Ok, null)
            .Build();
        AssertInvalid(history, "register \"register\" accepted a write fenced by token 5 after one fenced by token 9");
    }

    [Fact]
    public void Fenced_write_without_a_token_is_refused()
    {
        var history = new HistoryBuilder().Add(1, "fenced-write", "register", 1, null, 0, 10, Outcome.Ok, null).Build();
        Assert.Throws<ArgumentException>(() => LockChecker.Check(history));
    }

    private static CheckResult AssertInvalid(IReadOnlyList<Operation> history, string expectedInExplanation)
    {
        var result = LockChecker.Check(history);
        Assert.True(result.Verdict == Verdict.Invalid, result.ToString());
        Assert.Contains(expectedInExplanation, result.Explanation);
        return result;
    }
}
