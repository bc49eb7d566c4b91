using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class ElectionRecipeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task When_the_leader_dies_exactly_one_candidate_takes_over()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var observer = await cluster.ConnectAsync();
        var candidates = new List<CoordinatorClient>();
        for (var i = 0; i < 3; i++)
        {
            candidates.Add(await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout));
        }
        using var stopObserving = new CancellationTokenSource();
        var seen = new ConcurrentQueue<long?>();
        var observing = Task.Run(async () =>
        {
            await foreach (var leader in observer.Election("jobs").ObserveAsync(stopObserving.Token))
            {
                seen.Enqueue(leader?.SessionId);
            }
        });
        var campaigns = candidates.Select((c, i) => c.Election("jobs").CampaignAsync(Encoding.UTF8.GetBytes($"candidate-{i}"))).ToList();
        var first = await Task.WhenAny(campaigns).WaitAsync(TimeSpan.FromSeconds(10));
        var oldLeader = candidates[campaigns.IndexOf(first)];
        await Task.Delay(300);
        Assert.Equal(1, campaigns.Count(c => c.IsCompleted));
        var published = await observer.Election("jobs").GetLeaderAsync();
        Assert.Equal(oldLeader.SessionId, published?.SessionId);

        var watch = Stopwatch.StartNew();
        await oldLeader.AbandonAsync();
        var rest = campaigns.Where(c => c != first).ToList();
        var next = await Task.WhenAny(rest).WaitAsync(TimeSpan.FromSeconds(10));
        var takeover = watch.Elapsed;
        await Task.Delay(500);

        output.WriteLine($"new leader {takeover.TotalMilliseconds:F0} ms after the old one died (session timeout {RecipeCluster.SessionTimeout.TotalMilliseconds:F0} ms + lock-delay {RecipeCluster.LockDelay.TotalMilliseconds:F0} ms)");
        Assert.Equal(1, rest.Count(c => c.IsCompleted));
        Assert.InRange(takeover, TimeSpan.Zero, RecipeCluster.SessionTimeout + RecipeCluster.LockDelay + TimeSpan.FromSeconds(3));
        var newLeader = candidates[campaigns.IndexOf(next)];
        Assert.True((await next).FencingToken > (await first).FencingToken);
        await Eventually(() => seen.LastOrDefault() == newLeader.SessionId);
        Assert.Contains(oldLeader.SessionId, seen);
        await stopObserving.CancelAsync();
        await observing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    [Fact]
    public async Task A_resigned_leader_stops_its_work_before_the_next_starts()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var log = new ConcurrentQueue<string>();
        var a = new RecordingLeaderService((await cluster.ConnectAsync()).Election("reports"), "a", log);
        var b = new RecordingLeaderService((await cluster.ConnectAsync()).Election("reports"), "b", log);

        await a.StartAsync(CancellationToken.None);
        await Eventually(() => log.Contains("a start"));
        await b.StartAsync(CancellationToken.None);
        await Task.Delay(500);
        Assert.DoesNotContain("b start", log);

        var watch = Stopwatch.StartNew();
        await a.StopAsync(CancellationToken.None);
        await Eventually(() => log.Contains("b start"));
        output.WriteLine($"b started {watch.Elapsed.TotalMilliseconds:F0} ms after a was asked to stop");
        await b.StopAsync(CancellationToken.None);

        Assert.Equal(["a start", "a stop", "b start", "b stop"], log);
        a.Dispose();
        b.Dispose();
    }

    internal static async Task Eventually(Func<bool> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }

    private sealed class RecordingLeaderService(LeaderElection election, string name, ConcurrentQueue<string> log)
        : LeaderBackgroundService(election, Encoding.UTF8.GetBytes(name))
    {
        protected override async Task LeadAsync(CancellationToken leadershipToken)
        {
            log.Enqueue($"{name} start");
            try
            {
                await Task.Delay(Timeout.Infinite, leadershipToken);
            }
            finally
            {
                // Cleanup that takes a while: the next leader must still wait for it.
                await Task.Delay(200, CancellationToken.None);
                log.Enqueue($"{name} stop");
            }
        }
    }
}
