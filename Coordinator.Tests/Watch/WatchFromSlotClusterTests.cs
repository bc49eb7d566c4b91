using Coordinator.Client;
using Coordinator.Tests.Client;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Watch;

/// <summary>
/// Watching from a write's slot on a real in-process cluster: the stream is registered at that slot and holds every
/// later change once, those made before the watch was asked for included, then live ones; a multi's results
/// carry the slot its two changes share.
/// </summary>
[Trait("Category", "Watch")]
[Collection(ReplicaCollection.Name)]
public sealed class WatchFromSlotClusterTests
{
    [Fact]
    public async Task A_watch_from_a_writes_slot_gets_every_later_change_once_then_live_ones()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var writer = await cluster.ConnectAsync([2, 3, 1]);
        var reader = await cluster.ConnectAsync([3, 1, 2]);
        var from = (await writer.CreateWithStatAsync("/app", [])).Stat.CreatedSlot;
        var expected = new List<(WatchEventType, string, long)>();
        var created = await writer.CreateWithStatAsync("/app/a", [], createParents: true);
        expected.Add((WatchEventType.NodeCreated, "/app/a", created.Stat.CreatedSlot));
        expected.Add((WatchEventType.NodeDataChanged, "/app/a", (await writer.SetDataAsync("/app/a", [1])).ModifiedSlot));
        expected.Add((WatchEventType.NodeDeleted, "/app/a", await writer.DeleteAsync("/app/a")));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var stream = reader.WatchAsync("/app", recursive: true, fromSlot: from, stop.Token);
        Assert.Equal(from, await stream.Registered);
        expected.Add((WatchEventType.NodeDataChanged, "/app", (await writer.SetDataAsync("/app", [2])).ModifiedSlot));
        var multi = await writer.MultiAsync([Op.Create("/app/m", []), Op.Delete("/app/m")]);
        var multiSlot = Assert.IsType<MultiOpResult.Deleted>(multi[1]).Slot;
        Assert.Equal(multiSlot, Assert.IsType<MultiOpResult.Created>(multi[0]).Stat.CreatedSlot);
        expected.Add((WatchEventType.NodeCreated, "/app/m", multiSlot));
        expected.Add((WatchEventType.NodeDeleted, "/app/m", multiSlot));

        var received = new List<(WatchEventType, string, long)>();
        await foreach (var e in stream.WithCancellation(stop.Token))
        {
            received.Add((e.Type, e.Path, e.Slot));
            if (received.Count == expected.Count)
            {
                break;
            }
        }
        Assert.Equal(expected, received);
    }
}
