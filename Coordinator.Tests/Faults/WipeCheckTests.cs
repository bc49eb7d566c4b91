using Coordinator.Faults.Faults;

namespace Coordinator.Tests.Faults;

/// <summary>The wipe fault's judgement of a restarted replica, on made-up output: only a refusal passes.</summary>
[Trait("Category", "Fault")]
public sealed class WipeCheckTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private const string Refusal =
        "error: replica 2 refuses to start: it has run before (incarnation 3) but its journal (SQLite file /d/replica-2.db) is empty or missing";

    [Fact]
    public void A_non_zero_exit_with_the_refusal_line_is_a_refusal()
    {
        var result = WipeCheck.Judge(2, 1, ["[INFO] starting", Refusal], Bound);
        Assert.True(result.Refused, result.Explanation);
        Assert.Contains("refused to start (exit code 1)", result.Explanation);
    }

    [Fact]
    public void A_replica_that_says_it_is_up_started_blank_even_if_it_exits_later()
    {
        var result = WipeCheck.Judge(2, 0, ["replica 2 up on 10.77.1.12:4000 (Sqlite: /d/replica-2.db)", "replica running; Ctrl-C stops it"], Bound);
        Assert.False(result.Refused);
        Assert.Contains("started blank", result.Explanation);
    }

    [Fact]
    public void A_replica_still_running_at_the_bound_did_not_refuse()
    {
        Assert.Contains("still running 20 s", WipeCheck.Judge(2, null, ["[INFO] recovering"], Bound).Explanation);
        Assert.False(WipeCheck.Judge(2, null, [Refusal], Bound).Refused);
    }

    [Theory]
    [InlineData(1, "error: replica 2 refuses to start: another process holds data directory /d")]
    [InlineData(0, "replica stopped")]
    [InlineData(134, "Unhandled exception. System.IO.IOException: disk I/O error")]
    public void Any_other_exit_is_not_a_refusal(int exitCode, string line)
    {
        var result = WipeCheck.Judge(2, exitCode, [line], Bound);
        Assert.False(result.Refused);
        Assert.Contains($"exited with code {exitCode} without the refusal line", result.Explanation);
    }

    [Fact]
    public void The_refusal_exited_with_zero_is_not_a_refusal()
    {
        Assert.False(WipeCheck.Judge(2, 0, [Refusal], Bound).Refused);
    }
}
