using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Client;

/// <summary>
/// Issue 15, finding 4: a multi of 17 x 1 MiB (over Akka.Remote's 16 MiB frame) used to be dropped on the way
/// unanswered, end in ConnectionLoss after every server had its turn, and block every later write of its session.
/// </summary>
[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class ClientRequestSizeTests
{
    [Fact]
    public async Task An_oversize_multi_fails_at_once_with_request_too_large_and_the_next_write_succeeds()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var client = await cluster.ConnectAsync();
        var value = new byte[1024 * 1024];

        var elapsed = Stopwatch.StartNew();
        var tooLarge = await Assert.ThrowsAsync<RequestTooLargeException>(
            () => client.MultiAsync(Enumerable.Range(0, 17).Select(i => Op.Create($"/big-{i}", value))));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.Elapsed}");
        Assert.True(tooLarge.Size > 17 * value.Length, $"size {tooLarge.Size}");
        Assert.Equal(1088 * 1024, tooLarge.Limit);

        await client.CreateAsync("/after", [1]).WaitAsync(TimeSpan.FromSeconds(10));
        await client.CreateAsync("/one-mib", value).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await client.ExistsAsync("/big-0"));
        Assert.Equal([1], (await client.GetDataAsync("/after")).Data);
        Assert.Equal(value.Length, (await client.GetDataAsync("/one-mib")).Data.Length);
    }
}
