using System.Collections.Concurrent;
using System.Text;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Client;
using Coordinator.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

/// <summary>
/// Recipes outlive their sessions (issue 18): a configuration provider and a leader service that own their sessions
/// open new ones when one expires, instead of going silent (the provider) or failing (the service). Each is pinned to
/// one replica of an in-process cluster, which is killed past the 2 s session timeout, then restarted.
/// </summary>
[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class SessionRenewalTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_configuration_provider_reloads_a_change_made_after_its_first_session_expired()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var writer = await cluster.ConnectAsync();
        await writer.CreateAsync("/config/renew/App/Name", "a"u8.ToArray(), createParents: true);
        var pinned = cluster.Cluster.Ids[0];
        var states = new ConcurrentQueue<TreeCacheState>();
        var errors = new ConcurrentQueue<Exception>();
        var configuration = new ConfigurationBuilder().AddCoordinator("/config/renew", new CoordinatorConfigurationOptions
        {
            ClientOptions = PinnedTo(cluster, pinned),
            OnStateChanged = states.Enqueue,
            OnLoadException = errors.Enqueue,
        }).Build();
        using var stopsTheCache = (IDisposable)configuration;
        var reloads = 0;
        using var reloading = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref reloads));
        Assert.Equal("a", configuration["App:Name"]);

        await cluster.Cluster.KillAsync(pinned);
        await ElectionRecipeTests.Eventually(() => states.Contains(TreeCacheState.Stale), seconds: 20);
        await WriteAsync(() => writer.SetDataAsync("/config/renew/App/Name", "b"u8.ToArray()));
        await cluster.Cluster.StartAsync(pinned);
        await ElectionRecipeTests.Eventually(() => configuration["App:Name"] == "b", seconds: 30);

        output.WriteLine($"states {string.Join(", ", states)}; errors {string.Join("; ", errors.Select(e => e.GetType().Name))}; {reloads} reloads");
        Assert.Equal([TreeCacheState.Stale, TreeCacheState.Current], states);
        Assert.IsType<SessionExpiredException>(errors.First());
        Assert.True(reloads >= 1);

        // And it keeps reloading on its new session.
        await writer.SetDataAsync("/config/renew/App/Name", "c"u8.ToArray());
        await ElectionRecipeTests.Eventually(() => configuration["App:Name"] == "c");
    }

    [Fact]
    public async Task The_leader_service_leads_again_after_its_session_expired()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var observer = await cluster.ConnectAsync();
        var pinned = cluster.Cluster.Ids[0];
        var service = new TermCountingService(PinnedTo(cluster, pinned));
        await service.StartAsync(CancellationToken.None);
        try
        {
            await ElectionRecipeTests.Eventually(() => Volatile.Read(ref service.Terms) == 1, seconds: 20);
            var first = await WaitForLeaderAsync(observer, previous: null);

            await cluster.Cluster.KillAsync(pinned);
            await ElectionRecipeTests.Eventually(() => !service.SessionsLost.IsEmpty, seconds: 20);
            Assert.Equal(1, Volatile.Read(ref service.Stopped));
            await cluster.Cluster.StartAsync(pinned);
            await ElectionRecipeTests.Eventually(() => Volatile.Read(ref service.Terms) == 2, seconds: 30);
            var second = await WaitForLeaderAsync(observer, previous: first);

            output.WriteLine($"led by session {first.SessionId:x}, then, after it expired, by session {second.SessionId:x}");
            Assert.IsType<SessionExpiredException>(service.SessionsLost.First());
            Assert.NotEqual(first.SessionId, second.SessionId);
            Assert.Equal("me", Encoding.UTF8.GetString(second.Data));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static CoordinatorClientOptions PinnedTo(ClientCluster cluster, int replica) => new()
    {
        Servers = [cluster.Cluster.Endpoint(replica)],
        SessionTimeout = RecipeCluster.SessionTimeout,
        RequestTimeout = TimeSpan.FromSeconds(1),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    private static async Task<ElectionLeader> WaitForLeaderAsync(CoordinatorClient observer, ElectionLeader? previous)
    {
        var election = observer.Election("renew");
        ElectionLeader? leader = null;
        await ElectionRecipeTests.Eventually(() =>
        {
            leader = election.GetLeaderAsync().GetAwaiter().GetResult();
            return leader is not null && leader.SessionId != previous?.SessionId;
        }, seconds: 20);
        return leader!;
    }

    /// <summary>The writer's own replica may be the one killed: it fails over, and a set of the same data may be repeated.</summary>
    private static async Task WriteAsync(Func<Task> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (ConnectionLossException) when (attempt < 10)
            {
                await Task.Delay(200);
            }
        }
    }

    private sealed class TermCountingService(CoordinatorClientOptions options) : LeaderBackgroundService(options, "renew", "me"u8.ToArray())
    {
        public int Terms;
        public int Stopped;

        public ConcurrentQueue<Exception> SessionsLost { get; } = new();

        protected override async Task LeadAsync(CancellationToken leadershipToken)
        {
            Interlocked.Increment(ref Terms);
            try
            {
                await Task.Delay(Timeout.Infinite, leadershipToken);
            }
            finally
            {
                Interlocked.Increment(ref Stopped);
            }
        }

        protected override void OnSessionLost(Exception error) => SessionsLost.Enqueue(error);
    }
}
