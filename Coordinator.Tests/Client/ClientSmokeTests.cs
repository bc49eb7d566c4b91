using System.Text;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Client;

[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class ClientSmokeTests
{
    [Fact]
    public async Task A_client_creates_and_reads_a_node()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var client = await cluster.ConnectAsync();

        var path = await client.CreateAsync("/hello", Encoding.UTF8.GetBytes("world"));
        var node = await client.GetDataAsync("/hello");

        Assert.Equal("/hello", path);
        Assert.Equal("world", Encoding.UTF8.GetString(node.Data));
    }
}
