using System.Text;
using System.Threading.Channels;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Client;

/// <summary>Every client operation against a real 3-replica cluster over Akka.Remote.</summary>
[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class ClientOperationTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private ClientCluster _cluster = null!;
    private CoordinatorClient _client = null!;
    private CoordinatorClient _other = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ClientCluster.StartAsync();
        _client = await _cluster.ConnectAsync([1, 2, 3]);
        _other = await _cluster.ConnectAsync([2, 3, 1]);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Create_get_set_delete_and_exists_follow_zookeeper_semantics()
    {
        Assert.Equal("/app", await _client.CreateAsync("/app", Bytes("v0")));
        await Assert.ThrowsAsync<NodeExistsException>(() => _client.CreateAsync("/app", []));
        await Assert.ThrowsAsync<NoNodeException>(() => _client.CreateAsync("/missing/child", []));
        await Assert.ThrowsAsync<InvalidPathException>(() => _client.CreateAsync("relative", []));
        Assert.Equal("/deep/a/b", await _client.CreateAsync("/deep/a/b", [], createParents: true));

        var node = await _client.GetDataAsync("/app");
        Assert.Equal("v0", Text(node.Data));
        Assert.Equal(0, node.Stat.Version);

        var stat = await _client.SetDataAsync("/app", Bytes("v1"), version: 0);
        Assert.Equal(1, stat.Version);
        await Assert.ThrowsAsync<BadVersionException>(() => _client.SetDataAsync("/app", Bytes("lost"), version: 0));
        Assert.Equal("v1", Text((await _other.GetDataAsync("/app", ReadConsistency.Linearizable)).Data));

        await _client.CreateAsync("/app/child", []);
        await Assert.ThrowsAsync<NotEmptyException>(() => _client.DeleteAsync("/app"));
        await _client.DeleteAsync("/app/child");
        await Assert.ThrowsAsync<BadVersionException>(() => _client.DeleteAsync("/app", version: 0));
        await _client.DeleteAsync("/app", version: 1);
        Assert.Null(await _client.ExistsAsync("/app"));
        await Assert.ThrowsAsync<NoNodeException>(() => _client.GetDataAsync("/app"));
    }

    [Fact]
    public async Task Sequential_ephemeral_and_children_behave_like_zookeeper()
    {
        await _client.CreateAsync("/queue", []);
        var first = await _client.CreateAsync("/queue/item-", [], NodeKind.PersistentSequential);
        var second = await _client.CreateAsync("/queue/item-", [], NodeKind.EphemeralSequential);
        Assert.Equal("/queue/item-0000000000", first);
        Assert.Equal("/queue/item-0000000001", second);
        // Another session on another replica sees a write at once only with a linearizable read (ZooKeeper's sync).
        Assert.Equal(["item-0000000000", "item-0000000001"], await _other.GetChildrenAsync("/queue", ReadConsistency.Linearizable));

        var ephemeral = await _client.CreateAsync("/session-owned", [], NodeKind.Ephemeral);
        Assert.Equal(_client.SessionId, (await _other.ExistsAsync(ephemeral, ReadConsistency.Linearizable))!.Value.EphemeralOwner);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => _client.CreateAsync("/session-owned/x", []));
    }

    [Fact]
    public async Task Multi_applies_all_or_nothing_and_sync_catches_up()
    {
        await _client.CreateAsync("/m", []);
        var results = await _client.MultiAsync([Op.Create("/m/a", Bytes("a")), Op.SetData("/m", Bytes("x")), Op.Check("/m", 1)]);
        Assert.IsType<MultiOpResult.Created>(results[0]);
        Assert.IsType<MultiOpResult.DataSet>(results[1]);

        await Assert.ThrowsAsync<NodeExistsException>(() => _client.MultiAsync([Op.Create("/m/b", []), Op.Create("/m/a", [])]));
        Assert.Null(await _client.ExistsAsync("/m/b"));

        await _other.SyncAsync();
        Assert.Equal("x", Text((await _other.GetDataAsync("/m")).Data));
    }

    /// <summary>
    /// Issue 17: a linearizable read in one request. Every write another session's client saw acknowledged, on another
    /// replica, is in the next linearizable read, with no sync before it.
    /// </summary>
    [Fact]
    public async Task A_linearizable_read_sees_every_write_acknowledged_before_it_started()
    {
        await _client.CreateAsync("/fresh", Bytes("0"));
        for (var i = 1; i <= 50; i++)
        {
            await _client.SetDataAsync("/fresh", Bytes($"{i}"));
            await _client.CreateAsync($"/fresh/{i}", []);
            Assert.Equal($"{i}", Text((await _other.GetDataAsync("/fresh", ReadConsistency.Linearizable)).Data));
            Assert.Equal(i, (await _other.ExistsAsync("/fresh", ReadConsistency.Linearizable))!.Value.ChildCount);
            Assert.Equal(i, (await _other.GetChildrenAsync("/fresh", ReadConsistency.Linearizable)).Count);
        }
        await Assert.ThrowsAsync<NoNodeException>(() => _other.GetDataAsync("/stale", ReadConsistency.Linearizable));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _other.GetDataAsync("/fresh", (ReadConsistency)7));
    }

    [Fact]
    public async Task One_shot_watches_fire_once_and_persistent_watches_stream_every_change()
    {
        await _client.CreateAsync("/w", Bytes("0"));
        var dataEvents = Channel.CreateUnbounded<WatchEvent>();
        var childEvents = Channel.CreateUnbounded<WatchEvent>();
        var existsEvents = Channel.CreateUnbounded<WatchEvent>();
        await _client.GetDataAsync("/w", e => dataEvents.Writer.TryWrite(e));
        await _client.GetChildrenAsync("/w", e => childEvents.Writer.TryWrite(e));
        Assert.Null(await _client.ExistsAsync("/later", e => existsEvents.Writer.TryWrite(e)));
        using var streaming = new CancellationTokenSource(Patience);
        var stream = _client.WatchAsync("/w", recursive: true, streaming.Token).GetAsyncEnumerator(streaming.Token);
        var subscribed = stream.MoveNextAsync();
        // The subscription travels the same actor-to-gateway path as this read, so once the read is answered the
        // gateway holds the watch; without it, writes that apply quickly can overtake the subscription.
        await _client.ExistsAsync("/w");

        await _other.SetDataAsync("/w", Bytes("1"));
        await _other.SetDataAsync("/w", Bytes("2"));
        await _other.CreateAsync("/w/c", []);
        await _other.CreateAsync("/later", []);

        var changed = await dataEvents.Reader.ReadAsync(streaming.Token);
        Assert.Equal(WatchEventType.NodeDataChanged, changed.Type);
        Assert.Equal(WatchEventType.NodeChildrenChanged, (await childEvents.Reader.ReadAsync(streaming.Token)).Type);
        Assert.Equal(WatchEventType.NodeCreated, (await existsEvents.Reader.ReadAsync(streaming.Token)).Type);
        await Task.Delay(300);
        Assert.False(dataEvents.Reader.TryRead(out _), "a one-shot data watch fired twice");

        var streamed = new List<WatchEvent>();
        Assert.True(await subscribed);
        streamed.Add(stream.Current);
        while (streamed.Count < 3 && await stream.MoveNextAsync())
        {
            streamed.Add(stream.Current);
        }
        Assert.Equal(
            [(WatchEventType.NodeDataChanged, "/w"), (WatchEventType.NodeDataChanged, "/w"), (WatchEventType.NodeCreated, "/w/c")],
            streamed.Select(e => (e.Type, e.Path)));
        await stream.DisposeAsync();
    }

    [Fact]
    public async Task Locks_queue_fifo_and_fencing_tokens_increase()
    {
        var first = await _client.AcquireLockAsync("/locks/orders");
        await Assert.ThrowsAsync<LockBusyException>(() => _other.AcquireLockAsync("/locks/orders", wait: false));
        var waiting = _other.AcquireLockAsync("/locks/orders");
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        Assert.True(await _other.CheckTokenAsync("/locks/orders", first));

        await Assert.ThrowsAsync<NotLockHolderException>(() => _other.ReleaseLockAsync("/locks/orders"));
        await _client.ReleaseLockAsync("/locks/orders");
        var second = await waiting.WaitAsync(Patience);

        Assert.True(second > first);
        Assert.False(await _client.CheckTokenAsync("/locks/orders", first));
    }

    [Fact]
    public async Task Data_over_the_limit_is_refused_and_the_session_carries_on()
    {
        await Assert.ThrowsAsync<DataTooLargeException>(() => _client.CreateAsync("/big", new byte[1024 * 1024 + 1]));
        Assert.Equal("/small", await _client.CreateAsync("/small", new byte[1024]));
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
