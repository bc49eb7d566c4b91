using Coordinator.Service.Gateway;

namespace Coordinator.Tests.Security;

/// <summary>Issue 19: repeated failed logins are slowed down by a pure rule, per client address and per user.</summary>
[Trait("Category", "Security")]
public sealed class AuthBackoffTests
{
    private static readonly AuthBackoff.Rule Rule = new(2, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 3);

    [Fact]
    public void The_free_failures_cost_nothing_then_each_doubles_the_wait_up_to_the_cap()
    {
        Assert.Equal([0, 0, 0, 100, 200, 400, 800, 1000, 1000], Enumerable.Range(0, 9).Select(n => AuthBackoff.WaitAfter(Rule, n).TotalMilliseconds));
        Assert.Equal(TimeSpan.FromSeconds(1), AuthBackoff.WaitAfter(Rule, 1_000_000));
    }

    [Fact]
    public void A_login_waits_for_the_longest_of_its_keys_and_the_wait_runs_down_with_time()
    {
        var backoff = new AuthBackoff(Rule);
        for (var i = 0; i < 4; i++)
        {
            backoff.Failed(["address:a", "user:alice"], 1_000);
        }
        backoff.Failed(["address:b", "user:alice"], 1_000);
        Assert.Equal(TimeSpan.FromMilliseconds(400), backoff.WaitBefore(["address:c", "user:alice"], 1_000));
        Assert.Equal(TimeSpan.FromMilliseconds(200), backoff.WaitBefore(["address:a", "user:bob"], 1_000));
        Assert.Equal(TimeSpan.FromMilliseconds(150), backoff.WaitBefore(["address:a", "user:bob"], 1_050));
        Assert.Equal(TimeSpan.Zero, backoff.WaitBefore(["address:b", "user:bob"], 1_000));
        Assert.Equal(TimeSpan.Zero, backoff.WaitBefore(["address:a", "user:alice"], 2_000));
    }

    [Fact]
    public void A_success_clears_its_keys_and_old_failures_are_forgotten()
    {
        var backoff = new AuthBackoff(Rule);
        for (var i = 0; i < 3; i++)
        {
            backoff.Failed(["address:a", "user:alice"], 0);
        }
        backoff.Succeeded(["address:a", "user:alice"]);
        Assert.Equal(TimeSpan.Zero, backoff.WaitBefore(["address:a", "user:alice"], 0));

        for (var i = 0; i < 3; i++)
        {
            backoff.Failed(["user:bob"], 0);
        }
        backoff.Failed(["user:bob"], 61_000);
        Assert.Equal(TimeSpan.Zero, backoff.WaitBefore(["user:bob"], 61_000));
    }

    [Fact]
    public void The_table_keeps_at_most_its_bound_dropping_the_oldest_failures()
    {
        var backoff = new AuthBackoff(Rule);
        for (var i = 0; i < 10; i++)
        {
            backoff.Failed([$"user:u{i}"], i);
        }
        Assert.Equal(3, backoff.Tracked);
    }
}
