using System.Diagnostics;
using System.Text;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class ConfigurationRecipeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_changed_node_reaches_IOptionsMonitor_within_a_second()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var writer = await cluster.ConnectAsync();
        var reader = await cluster.ConnectAsync();
        await writer.CreateAsync("/config/myapp/App/Name", "a"u8.ToArray(), createParents: true);
        await writer.CreateAsync("/config/myapp/App/Limit", "5"u8.ToArray());

        var configuration = new ConfigurationBuilder().AddCoordinator("/config/myapp", reader).Build();
        using var stopsTheCache = (IDisposable)configuration;
        await using var services = new ServiceCollection().Configure<AppSettings>(configuration.GetSection("App")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<AppSettings>>();
        Assert.Equal(("a", 5), (monitor.CurrentValue.Name, monitor.CurrentValue.Limit));

        var watch = new Stopwatch();
        var seen = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = monitor.OnChange(settings =>
        {
            if (settings.Name == "b")
            {
                seen.TrySetResult(watch.Elapsed);
            }
        });
        watch.Start();
        await writer.SetDataAsync("/config/myapp/App/Name", "b"u8.ToArray());
        var latency = await seen.Task.WaitAsync(TimeSpan.FromSeconds(5));

        output.WriteLine($"IOptionsMonitor saw the change {latency.TotalMilliseconds:F1} ms after SetData was called");
        Assert.True(latency < TimeSpan.FromSeconds(1), $"took {latency}");
    }

    [Fact]
    public async Task After_its_replica_is_killed_the_cache_resynchronizes_and_misses_no_change()
    {
        const int Keys = 20;
        await using var cluster = await RecipeCluster.StartAsync();
        var writer = await cluster.ConnectAsync();
        for (var i = 0; i < Keys; i++)
        {
            await writer.CreateAsync($"/config/app/k{i}", "v0"u8.ToArray(), createParents: true);
        }
        var cacheClient = await cluster.ConnectAsync();
        await using var cache = new CoordinatorTreeCache(cacheClient, "/config/app");
        await cache.StartAsync();
        Assert.Equal(Keys + 1, cache.Nodes.Count);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cacheClient.ConnectionStateChanged += (_, e) =>
        {
            if (e.State == Coordinator.Client.ConnectionState.Disconnected)
            {
                disconnected.TrySetResult();
            }
        };

        // The client attaches to a replica of its own choosing: kill each in turn until it is the cache's. It notices
        // at 2/3 of its 6 s session timeout.
        var watch = Stopwatch.StartNew();
        foreach (var id in cluster.Cluster.Ids)
        {
            watch.Restart();
            await cluster.Cluster.KillAsync(id);
            if (await Task.WhenAny(disconnected.Task, Task.Delay(TimeSpan.FromSeconds(5.5))) == disconnected.Task)
            {
                break;
            }
            await cluster.Cluster.StartAsync(id);
        }
        Assert.True(disconnected.Task.IsCompleted, "the cache's client never lost its replica");
        for (var i = 0; i < Keys; i++)
        {
            await Retry(() => writer.SetDataAsync($"/config/app/k{i}", "v1"u8.ToArray()));
        }
        await ElectionRecipeTests.Eventually(
            () => cacheClient.State == Coordinator.Client.ConnectionState.Reconnected
                && Enumerable.Range(0, Keys).All(i => cache.Nodes.TryGetValue($"/config/app/k{i}", out var data) && Encoding.UTF8.GetString(data) == "v1"),
            seconds: 20);

        output.WriteLine($"cache complete and reconnected {watch.Elapsed.TotalMilliseconds:F0} ms after its replica was killed ({Keys} changes written during the failover)");
    }

    // A set of the same data is idempotent, so a write whose outcome the failover left unknown can simply be repeated.
    private static async Task Retry(Func<Task> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (Coordinator.Client.ConnectionLossException) when (attempt < 10)
            {
                await Task.Delay(200);
            }
        }
    }

    private sealed class AppSettings
    {
        public string Name { get; set; } = "";

        public int Limit { get; set; }
    }
}
