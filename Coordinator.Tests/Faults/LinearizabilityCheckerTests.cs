using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

/// <summary>Small register histories whose verdict can be worked out by hand.</summary>
[Trait("Category", "Fault")]
public sealed class LinearizabilityCheckerTests
{
    [Fact]
    public void Sequential_history_is_linearizable()
    {
        var history = new HistoryBuilder()
            .Read(1, 0, 10, null)
            .Write(1, 20, 30, 1)
            .Read(2, 40, 50, 1)
            .Cas(2, 60, 70, 1, 2, Outcome.Ok)
            .Cas(1, 80, 90, 1, 3, Outcome.Failed)
            .Read(1, 100, 110, 2)
            .Build();
        AssertValid(history);
    }

    [Fact]
    public void Overlapping_writes_may_land_in_either_order()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 100, 1)
            .Write(2, 10, 90, 2)
            .Read(3, 20, 30, 2)
            .Read(3, 40, 50, 1)
            .Read(4, 110, 120, 1)
            .Build();
        AssertValid(history);
    }

    [Fact]
    public void Read_overlapping_a_write_may_see_old_or_new_value()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Write(1, 20, 100, 2)
            .Read(2, 30, 40, 1)
            .Read(3, 50, 60, 2)
            .Build();
        AssertValid(history);
    }

    [Fact]
    public void Cas_successes_and_failures_under_concurrency()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 10, 0)
            .Cas(1, 20, 60, 0, 1, Outcome.Ok)
            .Cas(2, 25, 55, 0, 2, Outcome.Failed)
            .Cas(3, 30, 50, 1, 3, Outcome.Ok)
            .Read(1, 70, 80, 3)
            .Build();
        AssertValid(history);
    }

    [Fact]
    public void Unknown_write_that_took_effect_is_allowed_late()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, null, 7, Outcome.Unknown)
            .Read(2, 100, 110, null)
            .Read(2, 1_000, 1_010, 7)
            .Build();
        AssertValid(history);
    }

    [Fact]
    public void Unknown_write_that_never_took_effect_is_allowed()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Write(2, 20, null, 2, Outcome.Unknown)
            .Read(3, 30, 40, 1)
            .Read(3, 1_000, 1_010, 1)
            .Build();
        AssertValid(history);
    }

    [Fact]
    public void Unknown_cas_may_apply_only_where_its_expected_value_holds()
    {
        var applied = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Cas(2, 20, null, 1, 5, Outcome.Unknown)
            .Read(3, 100, 110, 5)
            .Build();
        AssertValid(applied);

        var impossible = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Cas(2, 20, null, 9, 5, Outcome.Unknown)
            .Read(3, 100, 110, 5)
            .Build();
        AssertInvalid(impossible, "#3");
    }

    [Fact]
    public void Failed_write_must_not_take_effect()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Write(2, 20, 30, 2, Outcome.Failed)
            .Read(3, 40, 50, 2)
            .Build();
        AssertInvalid(history, "#3");
    }

    [Fact]
    public void Failed_cas_that_must_have_succeeded_is_rejected()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Cas(2, 20, 30, 1, 2, Outcome.Failed)
            .Build();
        var result = AssertInvalid(history, "#2");
        Assert.Contains("cas(expected 1, 2) Failed", result.Explanation);
    }

    [Fact]
    public void Stale_read_is_rejected_with_the_prefix_and_the_stuck_operations()
    {
        var history = new HistoryBuilder()
            .Write(1, 0, 10, 1)
            .Write(1, 20, 30, 2)
            .Read(2, 40, 50, 1)
            .Build();
        var result = AssertInvalid(history, "key \"x\"");
        Assert.Contains("Longest linearizable prefix: 2 operations, leaving the register at 2", result.Explanation);
        Assert.Contains("#3 client 2 read() Ok -> 1 [invoked 40 ns, completed 50 ns]", result.Explanation);
    }

    [Fact]
    public void Initial_value_is_honoured()
    {
        var history = new HistoryBuilder().Read(1, 0, 10, 42).Build();
        AssertInvalid(history, "#1");
        var result = LinearizabilityChecker.Check(
            history, new Dictionary<string, long?> { ["x"] = 42 }, LinearizabilityChecker.DefaultMaxStates);
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void Search_beyond_the_state_bound_is_reported_as_too_large()
    {
        var builder = new HistoryBuilder();
        for (var client = 0; client < 12; client++)
        {
            builder.Write(client, 0, 1_000, client);
        }
        builder.Read(99, 2_000, 2_010, -1);
        var result = LinearizabilityChecker.Check(builder.Build(), new Dictionary<string, long?>(), maxStates: 100);
        Assert.Equal(Verdict.TooLarge, result.Verdict);
        Assert.Contains("gave up after", result.Explanation);
    }

    [Fact]
    public void Operation_outside_the_register_model_is_refused()
    {
        var history = new HistoryBuilder().Add(1, "acquire", "x", null, null, 0, 10, Outcome.Ok, 1).Build();
        Assert.Throws<ArgumentException>(() => LinearizabilityChecker.Check(history));
    }

    internal static void AssertValid(IReadOnlyList<Operation> history)
    {
        var result = LinearizabilityChecker.Check(history);
        Assert.True(result.IsValid, result.ToString());
    }

    internal static CheckResult AssertInvalid(IReadOnlyList<Operation> history, string expectedInExplanation)
    {
        var result = LinearizabilityChecker.Check(history);
        Assert.True(result.Verdict == Verdict.Invalid, result.ToString());
        Assert.Contains(expectedInExplanation, result.Explanation);
        return result;
    }
}
