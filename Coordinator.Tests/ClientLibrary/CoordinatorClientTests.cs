using System.Collections.Concurrent;
using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>The client library against fake gateways the test drives message by message over real Akka.Remote.</summary>
[Trait("Category", "Unit")]
public sealed class CoordinatorClientTests
{
    private static readonly Stat SomeStat = new(3, 4, 100, 200, 1, 0, 0, 2, 0, 3);

    [Fact]
    public async Task Creates_a_session_then_attaches_with_the_same_id_and_secret()
    {
        await using var gateways = new FakeGateways(1);
        var connecting = CoordinatorClient.ConnectAsync(Options(gateways, sessionTimeout: TimeSpan.FromSeconds(6)));

        var (create, from) = await gateways.ExpectAsync<WriteRequest>();
        Assert.Equal(1, create.Sequence);
        Assert.True(create.SessionId > 0);
        var createSession = Assert.IsType<CreateSession>(TransactionCodec.Decode(create.Transaction).Value);
        Assert.Equal(6000, createSession.TimeoutMs);
        gateways.Reply(from, new WriteResponse(create.RequestId, 7, ResultCodec.Encode(new SessionCreatedResult(create.SessionId, 5000))));

        var (attach, at) = await gateways.ExpectAsync<AttachRequest>();
        Assert.Equal(create.SessionId, attach.SessionId);
        Assert.Equal(createSession.Secret, attach.Secret);
        Assert.Equal(7, attach.LastSeenSlot);
        Assert.Empty(attach.Watches);
        gateways.Reply(at, new AttachResponse(attach.RequestId, 9, 5000));

        await using var client = await connecting.WaitAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(create.SessionId, client.SessionId);
        Assert.Equal(TimeSpan.FromSeconds(5), client.SessionTimeout);
        Assert.Equal(ConnectionState.Connected, client.State);
        Assert.Equal(9, client.LastSeenSlot);
    }

    [Fact]
    public async Task Draws_a_new_session_id_when_the_first_one_clashes()
    {
        await using var gateways = new FakeGateways(1);
        var connecting = CoordinatorClient.ConnectAsync(Options(gateways));
        var (first, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(from, new WriteResponse(first.RequestId, 1, ResultCodec.Encode(new ErrorResult(ErrorCode.SessionExists))));

        var (second, again) = await gateways.ExpectAsync<WriteRequest>();
        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Equal(1, second.Sequence);
        gateways.Reply(again, new WriteResponse(second.RequestId, 2, ResultCodec.Encode(new SessionCreatedResult(second.SessionId, 10_000))));
        var (attach, at) = await gateways.ExpectAsync<AttachRequest>();
        gateways.Reply(at, new AttachResponse(attach.RequestId, 2, 10_000));
        await using var client = await connecting.WaitAsync(TimeSpan.FromSeconds(3));
        Assert.Equal(second.SessionId, client.SessionId);
    }

    [Fact]
    public async Task Writes_and_reads_round_trip_and_errors_map_to_typed_exceptions()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways));

        var creating = client.CreateAsync("/app/seq-", [1, 2], NodeKind.PersistentSequential);
        var (write, from) = await gateways.ExpectAsync<WriteRequest>();
        Assert.Equal(2, write.Sequence);
        var create = Assert.IsType<Create>(TransactionCodec.Decode(write.Transaction).Value);
        Assert.Equal(("/app/seq-", NodeKind.PersistentSequential), (create.Path, create.Kind));
        Assert.Equal([1, 2], create.Data);
        gateways.Reply(from, new WriteResponse(write.RequestId, 20, ResultCodec.Encode(new CreatedResult("/app/seq-0000000001", SomeStat))));
        Assert.Equal("/app/seq-0000000001", await creating);
        Assert.Equal(20, client.LastSeenSlot);

        var reading = client.GetDataAsync("/app/seq-0000000001");
        var (read, readFrom) = await gateways.ExpectAsync<ReadRequest>();
        Assert.Equal((ReadKind.GetData, 20L, false), (read.Kind, read.LastSeenSlot, read.Watch));
        gateways.Reply(readFrom, new ReadResponse(read.RequestId, 21, ErrorCode.Ok, SomeStat, [1, 2], []));
        var node = await reading;
        Assert.Equal([1, 2], node.Data);
        Assert.Equal(SomeStat, node.Stat);

        var setting = client.SetDataAsync("/app/x", [3], version: 4);
        (write, from) = await gateways.ExpectAsync<WriteRequest>();
        Assert.Equal(3, write.Sequence);
        Assert.Equal(4, Assert.IsType<SetData>(TransactionCodec.Decode(write.Transaction).Value).ExpectedVersion);
        gateways.Reply(from, new WriteResponse(write.RequestId, 22, ResultCodec.Encode(new ErrorResult(ErrorCode.BadVersion))));
        var badVersion = await Assert.ThrowsAsync<BadVersionException>(() => setting);
        Assert.Equal((ErrorCode.BadVersion, "/app/x"), (badVersion.Code, badVersion.Path));

        var missing = client.GetChildrenAsync("/none");
        (read, readFrom) = await gateways.ExpectAsync<ReadRequest>();
        gateways.Reply(readFrom, new ReadResponse(read.RequestId, 22, ErrorCode.NoNode, default, [], []));
        await Assert.ThrowsAsync<NoNodeException>(() => missing);

        var exists = client.ExistsAsync("/none");
        (read, readFrom) = await gateways.ExpectAsync<ReadRequest>();
        gateways.Reply(readFrom, new ReadResponse(read.RequestId, 22, ErrorCode.NoNode, default, [], []));
        Assert.Null(await exists);

        var multi = client.MultiAsync([Op.Check("/a", 1), Op.Delete("/b")]);
        (write, from) = await gateways.ExpectAsync<WriteRequest>();
        Assert.Equal(2, Assert.IsType<Multi>(TransactionCodec.Decode(write.Transaction).Value).Ops.Count);
        gateways.Reply(from, new WriteResponse(write.RequestId, 23, ResultCodec.Encode(
            new MultiErrorResult(ErrorCode.NotEmpty, 1, [ErrorCode.Ok, ErrorCode.NotEmpty]))));
        var notEmpty = await Assert.ThrowsAsync<NotEmptyException>(() => multi);
        Assert.Equal("/b", notEmpty.Path);

        var rejected = client.SyncAsync();
        (write, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(from, new RequestRejected(write.RequestId, RejectReason.TooManyInFlight, "slow down"));
        Assert.Equal(RejectionReason.TooManyInFlight, (await Assert.ThrowsAsync<RequestRejectedException>(() => rejected)).Reason);

        // Refused before it was proposed, so the next write reuses that sequence number.
        var deleting = client.DeleteAsync("/b");
        var (delete, deleteFrom) = await gateways.ExpectAsync<WriteRequest>();
        Assert.Equal(write.Sequence, delete.Sequence);
        gateways.Reply(deleteFrom, new WriteResponse(delete.RequestId, 24, ResultCodec.Encode(OkResult.Instance)));
        await deleting;
    }

    [Fact]
    public async Task Sends_one_write_at_a_time_in_call_order_while_reads_are_pipelined()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways));

        var first = client.SetDataAsync("/n", [1]);
        var second = client.SetDataAsync("/n", [2]);
        var third = client.DeleteAsync("/n");
        var (w1, from) = await gateways.ExpectAsync<WriteRequest>();
        await gateways.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));

        var readA = client.ExistsAsync("/r1");
        var readB = client.ExistsAsync("/r2");
        var (r1, r1From) = await gateways.ExpectAsync<ReadRequest>();
        var (r2, r2From) = await gateways.ExpectAsync<ReadRequest>();
        gateways.Reply(r2From, new ReadResponse(r2.RequestId, 5, ErrorCode.NoNode, default, [], []));
        gateways.Reply(r1From, new ReadResponse(r1.RequestId, 5, ErrorCode.Ok, SomeStat, [], []));
        Assert.Null(await readB);
        Assert.Equal(SomeStat, await readA);

        gateways.Reply(from, new WriteResponse(w1.RequestId, 10, ResultCodec.Encode(new StatResult(SomeStat with { Version = 1 }))));
        var (w2, from2) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(from2, new WriteResponse(w2.RequestId, 11, ResultCodec.Encode(new StatResult(SomeStat with { Version = 2 }))));
        var (w3, from3) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(from3, new WriteResponse(w3.RequestId, 12, ResultCodec.Encode(OkResult.Instance)));

        Assert.Equal([2L, 3L, 4L], new[] { w1.Sequence, w2.Sequence, w3.Sequence });
        Assert.Equal([1], Assert.IsType<SetData>(TransactionCodec.Decode(w1.Transaction).Value).Data);
        Assert.Equal([2], Assert.IsType<SetData>(TransactionCodec.Decode(w2.Transaction).Value).Data);
        Assert.IsType<Delete>(TransactionCodec.Decode(w3.Transaction).Value);
        Assert.Equal(1, (await first).Version);
        Assert.Equal(2, (await second).Version);
        await third;
    }

    [Fact]
    public async Task Resends_the_write_with_the_same_sequence_on_the_next_gateway_when_the_first_stops_answering()
    {
        await using var gateways = new FakeGateways(2);
        var states = new ConcurrentQueue<ConnectionState>();
        var options = Options(gateways, requestTimeout: TimeSpan.FromMilliseconds(2500));
        await using var client = await ConnectAsync(gateways, options, watchConnect: c => c.ConnectionStateChanged += (_, e) => states.Enqueue(e.State));

        var watched = client.ExistsAsync("/w", _ => { });
        var (read, readFrom) = await gateways.ExpectAsync<ReadRequest>();
        gateways.Reply(readFrom, new ReadResponse(read.RequestId, 30, ErrorCode.NoNode, default, [], []));
        await watched;

        var setting = client.SetDataAsync("/n", [7]);
        var (sent, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Silence(from.Gateway);

        var (attach, at) = await gateways.ExpectAsync<AttachRequest>(TimeSpan.FromSeconds(10));
        Assert.NotEqual(from.Gateway, at.Gateway);
        Assert.Equal(client.SessionId, attach.SessionId);
        Assert.Equal(30, attach.LastSeenSlot);
        Assert.Equal([new WatchRegistration("/w", WatchKind.Data)], attach.Watches.Select(resumed => resumed.Watch));
        gateways.Reply(at, new AttachResponse(attach.RequestId, 31, 10_000));

        var (resent, resentFrom) = await gateways.ExpectAsync<WriteRequest>();
        Assert.Equal(at.Gateway, resentFrom.Gateway);
        Assert.Equal(sent.Sequence, resent.Sequence);
        Assert.Equal(sent.Transaction, resent.Transaction);
        gateways.Reply(resentFrom, new WriteResponse(resent.RequestId, 32, ResultCodec.Encode(new StatResult(SomeStat))));
        Assert.Equal(SomeStat, await setting.WaitAsync(TimeSpan.FromSeconds(3)));
        // Whether the initial Connected reaches a handler attached during ConnectAsync is a race; what follows is not.
        Assert.Equal([ConnectionState.Disconnected, ConnectionState.Reconnected], states.SkipWhile(state => state == ConnectionState.Connected));
    }

    [Fact]
    public async Task A_watch_callback_runs_before_the_response_that_follows_it_completes()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways));
        var events = new ConcurrentQueue<WatchEvent>();

        var reading = client.GetDataAsync("/cfg", events.Enqueue);
        var (read, from) = await gateways.ExpectAsync<ReadRequest>();
        Assert.True(read.Watch);
        gateways.Reply(from, new ReadResponse(read.RequestId, 40, ErrorCode.Ok, SomeStat, [1], []));
        await reading;

        var rereading = client.GetDataAsync("/cfg");
        (read, from) = await gateways.ExpectAsync<ReadRequest>();
        gateways.Push(0, from.Client, new WatchNotification(client.SessionId, WatchEventType.NodeDataChanged, "/cfg", 41, 0));
        gateways.Reply(from, new ReadResponse(read.RequestId, 41, ErrorCode.Ok, SomeStat with { Version = 2 }, [2], []));
        await rereading;
        Assert.Equal([new WatchEvent(WatchEventType.NodeDataChanged, "/cfg", 41)], events);

        // One-shot: a second change reaches nobody.
        var third = client.ExistsAsync("/cfg");
        (read, from) = await gateways.ExpectAsync<ReadRequest>();
        gateways.Push(0, from.Client, new WatchNotification(client.SessionId, WatchEventType.NodeDeleted, "/cfg", 42, 0));
        gateways.Reply(from, new ReadResponse(read.RequestId, 42, ErrorCode.NoNode, default, [], []));
        await third;
        Assert.Single(events);
    }

    [Fact]
    public async Task A_persistent_recursive_watch_streams_events_until_the_enumeration_stops()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways));
        using var stop = new CancellationTokenSource();
        var stream = client.WatchAsync("/app", recursive: true, stop.Token).GetAsyncEnumerator(stop.Token);

        var first = stream.MoveNextAsync();
        var (add, from) = await gateways.ExpectAsync<AddWatchRequest>();
        Assert.Equal(new WatchRegistration("/app", WatchKind.PersistentRecursive), add.Watch);
        gateways.Reply(from, new WatchAck(add.RequestId, 50, 0));
        gateways.Push(0, from.Client, new WatchNotification(client.SessionId, WatchEventType.NodeCreated, "/app/a", 51, 0));
        gateways.Push(0, from.Client, new WatchNotification(client.SessionId, WatchEventType.NodeCreated, "/other", 52, 0));
        gateways.Push(0, from.Client, new WatchNotification(client.SessionId, WatchEventType.NodeDataChanged, "/app", 53, 0));

        Assert.True(await first.AsTask().WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.Equal(new WatchEvent(WatchEventType.NodeCreated, "/app/a", 51), stream.Current);
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.Equal(new WatchEvent(WatchEventType.NodeDataChanged, "/app", 53), stream.Current);
        Assert.Equal(53, client.LastSeenSlot);

        var pending = stream.MoveNextAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask());
        await stream.DisposeAsync();
        var (remove, _) = await gateways.ExpectAsync<RemoveWatchRequest>();
        Assert.Equal(add.Watch, remove.Watch);
    }

    [Fact]
    public async Task Expires_by_itself_at_the_deadline_when_no_server_answers()
    {
        await using var gateways = new FakeGateways(1);
        var states = new ConcurrentQueue<ConnectionState>();
        var options = Options(gateways, sessionTimeout: TimeSpan.FromSeconds(1), requestTimeout: TimeSpan.FromSeconds(5));
        await using var client = await ConnectAsync(gateways, options, timeoutMs: 1000, watchConnect: c => c.ConnectionStateChanged += (_, e) => states.Enqueue(e.State));
        var attachedAt = Stopwatch.StartNew();
        gateways.Silence(0);

        var pending = client.GetDataAsync("/x");
        await Assert.ThrowsAsync<SessionExpiredException>(() => pending.WaitAsync(TimeSpan.FromSeconds(4)));
        Assert.InRange(attachedAt.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(2.5));
        Assert.Equal(ConnectionState.Expired, client.State);
        Assert.Equal([ConnectionState.Disconnected, ConnectionState.Expired], states);
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.SetDataAsync("/x", []));
    }

    [Fact]
    public async Task A_session_ended_notification_expires_the_session_and_fails_the_pending_calls()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways));
        var writing = client.SetDataAsync("/x", [1]);
        var (_, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Push(0, from.Client, new SessionEndedNotification(client.SessionId, 60));
        await Assert.ThrowsAsync<SessionExpiredException>(() => writing.WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.Equal(ConnectionState.Expired, client.State);
    }

    [Fact]
    public async Task Refuses_data_over_the_limit_without_sending_it()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways, maxDataBytes: 16));
        await Assert.ThrowsAsync<DataTooLargeException>(() => client.CreateAsync("/big", new byte[17]));
        await Assert.ThrowsAsync<DataTooLargeException>(() => client.MultiAsync([Op.SetData("/big", new byte[17])]));
        await gateways.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Refuses_options_it_cannot_use_before_opening_anything()
    {
        var badServer = await Assert.ThrowsAsync<ArgumentException>(() => CoordinatorClient.ConnectAsync(new CoordinatorClientOptions { Servers = ["no-port"] }));
        Assert.Contains("'no-port' is not host:port", badServer.Message);
        var badConfig = await Assert.ThrowsAsync<ArgumentException>(() => CoordinatorClient.ConnectAsync(
            new CoordinatorClientOptions { Servers = ["127.0.0.1:1"], AkkaConfig = "akka.remote.dot-netty.tcp.port = ${undefined-port}" }));
        Assert.Equal(nameof(CoordinatorClientOptions.AkkaConfig), badConfig.ParamName);
    }

    [Fact]
    public async Task A_queued_lock_completes_with_the_granted_token()
    {
        await using var gateways = new FakeGateways(1);
        await using var client = await ConnectAsync(gateways, Options(gateways));
        var acquiring = client.AcquireLockAsync("/locks/a", LockMode.Exclusive, wait: true);
        var (write, from) = await gateways.ExpectAsync<WriteRequest>();
        Assert.IsType<Acquire>(TransactionCodec.Decode(write.Transaction).Value);
        gateways.Reply(from, new WriteResponse(write.RequestId, 70, ResultCodec.Encode(new LockQueuedResult(2))));
        await gateways.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        Assert.False(acquiring.IsCompleted);
        gateways.Push(0, from.Client, new LockGrantedNotification(client.SessionId, "/locks/a", 75, 75));
        Assert.Equal(75, await acquiring.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_queued_lock_asks_the_next_gateway_for_a_grant_it_may_have_missed_while_moving()
    {
        await using var gateways = new FakeGateways(2);
        await using var client = await ConnectAsync(gateways, Options(gateways, sessionTimeout: TimeSpan.FromSeconds(3)), timeoutMs: 3000);
        var acquiring = client.AcquireLockAsync("/locks/a", LockMode.Exclusive, wait: true);
        var (write, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(from, new WriteResponse(write.RequestId, 70, ResultCodec.Encode(new LockQueuedResult(2))));
        gateways.Silence(from.Gateway);

        var (attach, at) = await gateways.ExpectAsync<AttachRequest>(TimeSpan.FromSeconds(10));
        Assert.Equal(["/locks/a"], attach.AwaitedLocks);
        gateways.Reply(at, new LockGrantedNotification(client.SessionId, "/locks/a", 75, 76));
        gateways.Reply(at, new AttachResponse(attach.RequestId, 76, 3000));
        Assert.Equal(75, await acquiring.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task An_unanswered_acquire_asks_the_next_gateway_for_its_grant_and_takes_it_when_the_resend_says_queued()
    {
        await using var gateways = new FakeGateways(2);
        await using var client = await ConnectAsync(gateways, Options(gateways, requestTimeout: TimeSpan.FromMilliseconds(1000)));
        var acquiring = client.AcquireLockAsync("/locks/a", LockMode.Exclusive, wait: true);
        var (_, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Silence(from.Gateway);

        var (attach, at) = await gateways.ExpectAsync<AttachRequest>();
        Assert.Equal(["/locks/a"], attach.AwaitedLocks);
        gateways.Reply(at, new LockGrantedNotification(client.SessionId, "/locks/a", 80, 81));
        gateways.Reply(at, new AttachResponse(attach.RequestId, 81, 10_000));
        var (resent, resentFrom) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(resentFrom, new WriteResponse(resent.RequestId, 81, ResultCodec.Encode(new LockQueuedResult(1))));
        Assert.Equal(80, await acquiring.WaitAsync(TimeSpan.FromSeconds(3)));
    }

    private static CoordinatorClientOptions Options(
        FakeGateways gateways,
        TimeSpan? sessionTimeout = null,
        TimeSpan? requestTimeout = null,
        int maxDataBytes = 1024 * 1024) => new()
        {
            Servers = gateways.Servers,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            MaxDataBytes = maxDataBytes,
        };

    /// <summary>Plays the gateway's part of session creation and attach on whichever gateway the client picked.</summary>
    private static async Task<CoordinatorClient> ConnectAsync(
        FakeGateways gateways,
        CoordinatorClientOptions options,
        int timeoutMs = 10_000,
        Action<CoordinatorClient>? watchConnect = null)
    {
        var connecting = CoordinatorClient.ConnectAsync(options);
        var (create, from) = await gateways.ExpectAsync<WriteRequest>();
        gateways.Reply(from, new WriteResponse(create.RequestId, 1, ResultCodec.Encode(new SessionCreatedResult(create.SessionId, timeoutMs))));
        var (attach, at) = await gateways.ExpectAsync<AttachRequest>();
        gateways.Reply(at, new AttachResponse(attach.RequestId, 1, timeoutMs));
        var client = await connecting.WaitAsync(TimeSpan.FromSeconds(3));
        watchConnect?.Invoke(client);
        return client;
    }
}
