using System.Collections.Concurrent;
using System.Text;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using static Coordinator.Tests.Recipes.ElectionRecipeTests;

namespace Coordinator.Tests.Recipes;

/// <summary>Issue 18: etcd's Proclaim on the election recipe, on an in-process cluster.</summary>
[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class ElectionProclaimTests
{
    [Fact]
    public async Task The_leader_proclaims_new_values_observers_see_them_and_it_stays_leader()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var observer = await cluster.ConnectAsync();
        var leader = await cluster.ConnectAsync();
        var candidate = await cluster.ConnectAsync();
        var leadership = await leader.Election("svc").CampaignAsync(Bytes("10.0.0.1:80"));
        var token = leadership.FencingToken;
        var candidacy = candidate.Election("svc").CampaignAsync(Bytes("10.0.0.2:80"));
        using var stopObserving = new CancellationTokenSource();
        var seen = new ConcurrentQueue<ElectionLeader?>();
        var observing = Task.Run(async () =>
        {
            await foreach (var current in observer.Election("svc").ObserveAsync(stopObserving.Token))
            {
                seen.Enqueue(current);
            }
        });
        await Eventually(() => seen.LastOrDefault() is { } first && Text(first) == "10.0.0.1:80");

        await leadership.ProclaimAsync(Bytes("10.0.0.1:81"));
        await Eventually(() => seen.LastOrDefault() is { } second && Text(second) == "10.0.0.1:81");
        await leadership.ProclaimAsync(Bytes("10.0.0.1:82"));
        await Eventually(() => seen.LastOrDefault() is { } third && Text(third) == "10.0.0.1:82");

        var published = (await observer.Election("svc").GetLeaderAsync())!;
        Assert.Equal(leader.SessionId, published.SessionId);
        Assert.True(published.Updated > published.Since, $"updated at {published.Updated}, published at {published.Since}");
        var values = seen.OfType<ElectionLeader>().ToList();
        Assert.All(values, value => Assert.Equal((leader.SessionId, published.Since), (value.SessionId, value.Since)));
        Assert.Equal(["10.0.0.1:80", "10.0.0.1:81", "10.0.0.1:82"], values.Select(Text).Distinct());
        Assert.Equal(token, leadership.FencingToken);
        Assert.True(await leader.CheckTokenAsync("/election/svc", token));
        Assert.False(leadership.LostToken.IsCancellationRequested);
        Assert.False(candidacy.IsCompleted, "a proclaim let the next candidate in");

        await stopObserving.CancelAsync();
        await observing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await leadership.ResignAsync();
        await using var next = await candidacy.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_resigned_or_deposed_leader_cannot_proclaim_and_a_second_resign_leaves_the_next_leader_alone()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var a = await cluster.ConnectAsync();
        var b = await cluster.ConnectAsync();
        var first = await a.Election("svc").CampaignAsync(Bytes("a"));
        await first.ResignAsync();
        var resigned = await Assert.ThrowsAsync<NotLeaderException>(() => first.ProclaimAsync(Bytes("late")));
        Assert.Equal("/election/svc", resigned.Path);
        Assert.Contains("does not lead the election", resigned.Message);

        var second = await b.Election("svc").CampaignAsync(Bytes("b"));
        await first.ResignAsync();
        await Assert.ThrowsAsync<NotLeaderException>(() => first.ProclaimAsync(Bytes("late")));
        Assert.Equal("b", Text((await a.Election("svc").GetLeaderAsync())!));

        // The lock released behind the leadership's back: Proclaim asks the cluster, not only its own flag.
        await b.ReleaseLockAsync("/election/svc");
        await Assert.ThrowsAsync<NotLeaderException>(() => second.ProclaimAsync(Bytes("b2")));
        Assert.Equal("b", Text((await a.Election("svc").GetLeaderAsync())!));
        await second.ResignAsync();
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ElectionLeader leader) => Encoding.UTF8.GetString(leader.Data);
}
