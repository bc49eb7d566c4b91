using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;
using Xunit.Abstractions;

namespace Coordinator.Tests.Gateway;

/// <summary>
/// The gateway spoken to in its raw protocol over Akka.Remote, as a misbehaving or hostile client would: every bad
/// request gets an answer that says what is wrong, and the replica and the other sessions carry on.
/// </summary>
[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class GatewayProtocolTests : TestKit, IAsyncLifetime
{
    private static readonly Config ClientConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        """).WithFallback(ReplicaHost.ReferenceConfig);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private readonly InProcessCluster _cluster = new(3, dataTree: true, extraHocon: """
        coordinator.state-machine.min-session-timeout = 2s
        coordinator.gateway.write-give-up-after = 3s
        """);
    private readonly ITestOutputHelper _output;
    private long _requestId;

    public GatewayProtocolTests(ITestOutputHelper output)
        : base(ClientConfig, "gateway-test", output) => _output = output;

    public Task InitializeAsync() => _cluster.StartAllAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_session_writes_reads_and_sees_another_sessions_change_through_a_watch()
    {
        var watcher = await OpenSessionAsync(1, gateway: 1);
        var writer = await OpenSessionAsync(2, gateway: 2);
        var created = Write(2, writer, 2, new Create("/config", [1], NodeKind.Persistent));
        Assert.IsType<CreatedResult>(created.Result);

        var read = Read(1, watcher, ReadKind.GetData, "/config", watch: true, lastSeen: created.Slot);
        Assert.Equal(ErrorCode.Ok, read.Code);
        Assert.Equal([1], read.Data);
        Write(2, writer, 3, new SetData("/config", [2]));

        var notification = watcher.Client.FishForMessage<WatchNotification>(_ => true, Patience);
        Assert.Equal(new WatchNotification(watcher.SessionId, WatchEventType.NodeDataChanged, "/config", notification.Slot, 0), notification);
        var reread = Read(1, watcher, ReadKind.GetData, "/config", watch: false, lastSeen: notification.Slot);
        Assert.Equal([2], reread.Data);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Attach_with_a_forged_session_or_a_wrong_secret_is_refused()
    {
        var session = await OpenSessionAsync(1, gateway: 1, attach: false);

        Gateway(2).Tell(new AttachRequest(++_requestId, 987654321, 1, 0, [], []), TestActor);
        Assert.Equal(RejectReason.UnknownSession, ExpectMsg<RequestRejected>(Patience).Reason);
        Gateway(2).Tell(new AttachRequest(++_requestId, session.SessionId, session.Secret + 1, session.Slot, [], []), TestActor);
        Assert.Equal(RejectReason.WrongSecret, ExpectMsg<RequestRejected>(Patience).Reason);

        Gateway(2).Tell(new AttachRequest(++_requestId, session.SessionId, session.Secret, session.Slot, [], []), TestActor);
        Assert.Equal(_requestId, ExpectMsg<ResumeStarted>(Patience).RequestId);
        ExpectMsg<AttachResponse>(Patience);
    }

    [Fact]
    public async Task Malformed_oversize_and_unknown_requests_get_errors_and_harm_nothing()
    {
        var session = await OpenSessionAsync(1, gateway: 1);

        Gateway(1).Tell(new WriteRequest(++_requestId, session.SessionId, 2, [0xFF, 0x00, 0x13]), session.Client.Ref);
        Assert.Equal(RejectReason.UnsupportedVersion, session.Client.ExpectMsg<RequestRejected>(Patience).Reason);
        Gateway(1).Tell(new WriteRequest(++_requestId, session.SessionId, 2, [TransactionCodec.FormatVersion, (byte)TransactionCodec.Tag.Create, 0x13]), session.Client.Ref);
        var malformed = session.Client.ExpectMsg<WriteResponse>(Patience);
        Assert.Equal(ErrorCode.BadArguments, ResultCodec.Decode(malformed.Result).Value!.Code);

        Gateway(1).Tell(new WriteRequest(++_requestId, session.SessionId, 3, new byte[2 * 1024 * 1024]), session.Client.Ref);
        Assert.Equal(RejectReason.RequestTooLarge, session.Client.ExpectMsg<RequestRejected>(Patience).Reason);

        // Past Akka.Remote's frame limit: dropped by the transport, never delivered; nothing else may suffer.
        Gateway(1).Tell(new WriteRequest(++_requestId, session.SessionId, 3, new byte[20 * 1024 * 1024]), session.Client.Ref);
        Gateway(1).Tell("an unknown message", TestActor);
        session.Client.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        var tooBig = Write(1, session, 3, new Create("/big", new byte[1024 * 1024 + 1], NodeKind.Persistent));
        Assert.Equal(ErrorCode.DataTooLarge, tooBig.Result.Code);
        var fine = Write(1, session, 4, new Create("/fine", [1], NodeKind.Persistent));
        Assert.IsType<CreatedResult>(fine.Result);
        var stale = Write(1, session, 2, new Create("/stale", [1], NodeKind.Persistent));
        Assert.Equal(ErrorCode.StaleSequence, stale.Result.Code);
    }

    [Fact]
    public async Task A_session_that_stops_heartbeating_expires_its_ephemerals_vanish_and_watches_fire()
    {
        var doomed = await OpenSessionAsync(1, gateway: 1, timeoutMs: 2000);
        var survivor = await OpenSessionAsync(2, gateway: 2, timeoutMs: 10000);
        var ephemeral = Write(1, doomed, 2, new Create("/leader", [7], NodeKind.Ephemeral));
        Assert.IsType<CreatedResult>(ephemeral.Result);
        Read(2, survivor, ReadKind.Exists, "/leader", watch: true, lastSeen: ephemeral.Slot);

        var started = DateTime.UtcNow;
        var deleted = survivor.Client.FishForMessage<WatchNotification>(n => n.Path == "/leader", TimeSpan.FromSeconds(20));
        _output.WriteLine($"ephemeral of the silent session vanished {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms after its last heartbeat");
        Assert.Equal(WatchEventType.NodeDeleted, deleted.Type);
        Assert.Equal(ErrorCode.NoNode, Read(2, survivor, ReadKind.Exists, "/leader", watch: false, lastSeen: deleted.Slot).Code);

        // The gateway forgot the session when it ended: nobody may write for it any more.
        Gateway(1).Tell(new WriteRequest(++_requestId, doomed.SessionId, 3, TransactionCodec.Encode(new Create("/after", [1], NodeKind.Persistent))), doomed.Client.Ref);
        Assert.Equal(RejectReason.NotSessionOwner, doomed.Client.FishForMessage<RequestRejected>(_ => true, Patience).Reason);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_sync_through_a_read_index_makes_another_gateways_earlier_write_visible()
    {
        var reader = await OpenSessionAsync(1, gateway: 2);
        var writer = await OpenSessionAsync(2, gateway: 1);
        var written = Write(1, writer, 2, new Create("/fresh", [9], NodeKind.Persistent));
        Assert.IsType<CreatedResult>(written.Result);

        var synced = Write(2, reader, 2, Sync.Instance);
        Assert.True(synced.Result.IsOk);
        Assert.True(synced.Slot >= written.Slot, $"sync answered at slot {synced.Slot}, before the write's {written.Slot}");
        var read = Read(2, reader, ReadKind.GetData, "/fresh", watch: false, lastSeen: synced.Slot);
        Assert.Equal([9], read.Data);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_lock_granted_while_its_waiter_was_between_gateways_is_granted_again_when_it_attaches()
    {
        var holder = await OpenSessionAsync(1, gateway: 1);
        var waiter = await OpenSessionAsync(2, gateway: 1, attach: false);
        var held = Assert.IsType<LockAcquiredResult>(Write(1, holder, 2, new Acquire("/lock", LockMode.Exclusive, Wait: true)).Result);
        Assert.IsType<LockQueuedResult>(Write(1, waiter, 2, new Acquire("/lock", LockMode.Exclusive, Wait: true)).Result);

        // The waiter's client stops: gateway 1 forgets its session, so a grant now has no one to go to.
        Sys.Stop(waiter.Client.Ref);
        await AwaitAttachedAsync(gateway: 1, count: 1);
        var released = Write(1, holder, 3, new Release("/lock"));
        Assert.True(released.Result.IsOk);

        var resumed = CreateTestProbe();
        Gateway(2).Tell(new AttachRequest(++_requestId, waiter.SessionId, waiter.Secret, released.Slot, [], ["/lock", "/other"]), resumed.Ref);
        resumed.ExpectMsg<ResumeStarted>(Patience);
        var granted = resumed.ExpectMsg<LockGrantedNotification>(Patience);
        Assert.Equal(("/lock", waiter.SessionId), (granted.Path, granted.SessionId));
        Assert.True(granted.Token > held.Token, $"token {granted.Token} after the holder's {held.Token}");
        resumed.ExpectMsg<AttachResponse>(Patience);
        await Task.CompletedTask;
    }

    /// <summary>A session and the probe that plays its client: what the gateway sends the session arrives there.</summary>
    private sealed record OpenSession(long SessionId, long Secret, long Slot, TestProbe Client);

    private async Task<OpenSession> OpenSessionAsync(long sessionId, int gateway, bool attach = true, int timeoutMs = 10000)
    {
        var secret = Random.Shared.NextInt64(1, long.MaxValue);
        var client = CreateTestProbe();
        client.IgnoreMessages(message => message is HeartbeatAck);
        var created = Write(gateway, new OpenSession(sessionId, secret, 0, client), 1, new CreateSession(timeoutMs, secret));
        Assert.IsType<SessionCreatedResult>(created.Result);
        var session = new OpenSession(sessionId, secret, created.Slot, client);
        if (attach)
        {
            Gateway(gateway).Tell(new AttachRequest(++_requestId, sessionId, secret, created.Slot, [], []), client.Ref);
            client.ExpectMsg<ResumeStarted>(Patience);
            client.ExpectMsg<AttachResponse>(Patience);
            if (timeoutMs >= 10000)
            {
                KeepAlive(gateway, sessionId, client);
            }
        }
        await Task.CompletedTask;
        return session;
    }

    /// <summary>Heartbeats from the session's own client (no other may send them); its probe ignores their acks.</summary>
    private void KeepAlive(int gateway, long sessionId, TestProbe client) =>
        Sys.Scheduler.Advanced.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromSeconds(1), () => Gateway(gateway).Tell(new Heartbeat(sessionId), client.Ref));

    private async Task AwaitAttachedAsync(int gateway, int count)
    {
        var asker = CreateTestProbe();
        for (var deadline = DateTime.UtcNow + Patience; ; await Task.Delay(100))
        {
            Gateway(gateway).Tell(new StatusQuery(++_requestId), asker.Ref);
            var attached = asker.ExpectMsg<ServerStatus>(Patience).AttachedSessions;
            if (attached == count)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"gateway {gateway} still has {attached} sessions attached, not {count}");
        }
    }

    private (OpResult Result, long Slot) Write(int gateway, OpenSession session, long sequence, Transaction transaction)
    {
        var requestId = ++_requestId;
        Gateway(gateway).Tell(new WriteRequest(requestId, session.SessionId, sequence, TransactionCodec.Encode(transaction)), session.Client.Ref);
        var response = session.Client.FishForMessage<WriteResponse>(r => r.RequestId == requestId, Patience);
        return (ResultCodec.Decode(response.Result).Value!, response.Slot);
    }

    private ReadResponse Read(int gateway, OpenSession session, ReadKind kind, string path, bool watch, long lastSeen)
    {
        var requestId = ++_requestId;
        Gateway(gateway).Tell(new ReadRequest(requestId, session.SessionId, lastSeen, kind, path, watch), session.Client.Ref);
        return session.Client.FishForMessage<ReadResponse>(r => r.RequestId == requestId, Patience);
    }

    private ActorSelection Gateway(int id) => Sys.ActorSelection($"akka.tcp://coordinator@{_cluster.Endpoint(id)}/user/gateway");
}
