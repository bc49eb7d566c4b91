using System.Diagnostics;
using System.Text;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

/// <summary>
/// The lock and the election with their holder as a real OS process (<c>coord lock</c> / <c>coord elect</c>) killed
/// with SIGKILL: the next waiter takes over only after the session timeout plus the lock-delay, never before.
/// </summary>
[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class ProcessKillRecipeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_lock_holders_process_hands_the_lock_to_the_next_waiter_after_timeout_and_lock_delay()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        using var holder = CliProcess.Start(Servers(cluster), ["lock", "orders", "--session-timeout", "2", "--", "sleep", "60"]);
        await holder.WaitForOutputAsync("acquired /locks/orders", TimeSpan.FromSeconds(30));
        var waiter = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var waiting = waiter.Locks.AcquireAsync("orders", TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        var killedAt = Stopwatch.StartNew();
        holder.Kill();
        await using var handle = await waiting;
        output.WriteLine($"coord lock SIGKILLed; the waiter got /locks/orders {killedAt.ElapsedMilliseconds} ms later (session 2 s + lock-delay 0.5 s)");

        Assert.True(killedAt.Elapsed >= RecipeCluster.LockDelay, "the lock was regranted before its lock-delay could have passed");
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Killing_the_leaders_process_elects_exactly_one_new_leader()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        using var leader = CliProcess.Start(Servers(cluster), ["elect", "reports", "--data", "process-a", "--session-timeout", "2", "--", "sleep", "60"]);
        await leader.WaitForOutputAsync("leading reports", TimeSpan.FromSeconds(30));
        var candidateB = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var candidateC = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var campaignB = candidateB.Election("reports").CampaignAsync(Encoding.UTF8.GetBytes("b"));
        var campaignC = candidateC.Election("reports").CampaignAsync(Encoding.UTF8.GetBytes("c"));
        await Task.Delay(200);
        Assert.False(campaignB.IsCompleted || campaignC.IsCompleted);

        var killedAt = Stopwatch.StartNew();
        leader.Kill();
        var first = await Task.WhenAny(campaignB, campaignC);
        await using var leadership = await first;
        output.WriteLine($"coord elect SIGKILLed; a new leader took over {killedAt.ElapsedMilliseconds} ms later");
        await Task.Delay(RecipeCluster.SessionTimeout);

        Assert.False(campaignB.IsCompleted && campaignC.IsCompleted, "two candidates lead at once");
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(10));
        var current = await candidateB.Election("reports").GetLeaderAsync();
        Assert.NotNull(current);
    }

    private static string Servers(Client.ClientCluster cluster) => string.Join(',', cluster.Cluster.Ids.Select(cluster.Cluster.Endpoint));
}
