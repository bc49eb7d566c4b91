using Coordinator.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Coordinator.Tests.Recipes;

[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class ReadmeSampleTests
{
    [Fact]
    public async Task The_README_recipes_run_against_a_real_cluster()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var client = await cluster.ConnectAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        long written = 0;
        var token = await ReadmeSamples.LockAsync(client, (t, _) => Task.FromResult(written = t), timeout.Token);
        Assert.Equal(token, written);

        var permit = await ReadmeSamples.SemaphoreAsync(client, (t, _) => Task.FromResult(written = t), timeout.Token);
        Assert.Equal(permit, written);
        Assert.True(permit > token);

        var refreshed = await ReadmeSamples.UpgradeableAsync(client, () => true, (t, _) => Task.FromResult(written = t), timeout.Token);
        Assert.Equal(refreshed, written);
        Assert.True(refreshed > permit);

        var leader = await ReadmeSamples.ElectionAsync(client, timeout.Token);
        Assert.Equal(client.SessionId, leader?.SessionId);
        Assert.Equal("host-a:8443"u8.ToArray(), leader?.Data);

        await client.CreateAsync("/config/myapp/MyApp/Greeting", "hello"u8.ToArray(), createParents: true);
        Assert.Equal("hello", await ReadmeSamples.ConfigurationAsync(client));

        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:Servers:0"] = cluster.Cluster.Endpoint(1),
            ["Coordinator:Servers:1"] = cluster.Cluster.Endpoint(2),
            ["Coordinator:Servers:2"] = cluster.Cluster.Endpoint(3),
            ["Coordinator:SessionTimeout"] = "00:00:04",
        }).Build();
        Assert.True(await ReadmeSamples.DependencyInjectionAsync(settings));
    }
}
