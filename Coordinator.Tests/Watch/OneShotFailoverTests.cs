using System.Threading.Channels;
using Coordinator.Client;
using Coordinator.Tests.Client;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Watch;

/// <summary>
/// A one-shot watch on a node deleted while its client moved between replicas (issue 18): it fires NodeDeleted once, at the
/// delete's slot, as ZooKeeper's setWatches answers, instead of never (or later, as NodeCreated).
/// </summary>
[Trait("Category", "Watch")]
[Collection(ReplicaCollection.Name)]
public sealed class OneShotFailoverTests
{
    [Fact]
    public async Task A_data_watch_on_a_node_deleted_during_failover_fires_node_deleted_once()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var client = await cluster.ConnectAsync([1, 2, 3], sessionTimeout: TimeSpan.FromSeconds(8));
        var deleter = await cluster.ConnectAsync([2, 3, 1]);
        var created = (await client.CreateWithStatAsync("/gone", [])).Stat.CreatedSlot;
        var events = Channel.CreateUnbounded<WatchEvent>();
        await client.GetDataAsync("/gone", e => events.Writer.TryWrite(e));

        await cluster.Cluster.KillAsync(1);
        var deletedAt = await deleter.DeleteAsync("/gone");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var fired = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal((WatchEventType.NodeDeleted, "/gone"), (fired.Type, fired.Path));
        // The delete's own slot; a retry answered from the session's record after a leader change says a later one.
        Assert.InRange(fired.Slot, created + 1, deletedAt);
        Assert.NotEqual(ConnectionState.Expired, client.State);
        await Task.Delay(500);
        Assert.False(events.Reader.TryRead(out var more), $"a one-shot watch fired twice: {more}");
    }
}
