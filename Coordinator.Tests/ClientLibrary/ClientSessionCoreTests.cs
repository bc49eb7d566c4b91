using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>The client's session core with virtual time and no network: every decision the client actor used to hide.</summary>
[Trait("Category", "Unit")]
public sealed class ClientSessionCoreTests
{
    private static readonly Stat SomeStat = new(3, 4, 100, 200, 1, 0, 0, 2, 0, 3);

    [Fact]
    public void Fails_over_to_the_next_server_in_list_order_after_each_failure_wrapping_around()
    {
        var h = new SessionCoreHarness(servers: 3, requestTimeoutMs: 1000);
        h.Start(firstServer: 1);
        var create = h.Single<WriteRequest>(server: 1);

        // An unanswered create goes to the next server with the same id, secret and sequence: it is deduplicated.
        h.Advance(1000);
        var again = h.Single<WriteRequest>(server: 2);
        Assert.Equal((create.SessionId, 1L), (again.SessionId, again.Sequence));
        Assert.Equal(create.Transaction, again.Transaction);
        h.Advance(1000);
        var third = h.Single<WriteRequest>(server: 0);
        Assert.Equal(create.SessionId, third.SessionId);

        h.Deliver(0, new WriteResponse(third.RequestId, 5, ResultCodec.Encode(new SessionCreatedResult(third.SessionId, 9000))));
        var attach = h.Single<AttachRequest>(server: 0);
        h.Advance(1000);
        var secondAttach = h.Single<AttachRequest>(server: 1);
        Assert.Equal((attach.SessionId, attach.Secret), (secondAttach.SessionId, secondAttach.Secret));
        h.Deliver(1, new RequestRejected(secondAttach.RequestId, RejectReason.TooManyInFlight, "busy"));
        var thirdAttach = h.Single<AttachRequest>(server: 2);
        h.Deliver(2, new AttachResponse(thirdAttach.RequestId, 6, 9000));
        Assert.Equal(SessionPhase.Attached, h.Core.Phase);

        // A closed connection to another server changes nothing; to the attached one it moves on at once.
        h.Run(h.Core.ConnectionLost(h.Now, SessionCoreHarness.Address(0)));
        Assert.Empty(h.TakeSent());
        h.Run(h.Core.ConnectionLost(h.Now, SessionCoreHarness.Address(2)));
        h.Single<AttachRequest>(server: 0);
        Assert.Equal([ConnectionState.Connected, ConnectionState.Disconnected], h.States);
    }

    [Fact]
    public void Is_disconnected_at_two_thirds_of_the_timeout_and_expired_at_the_timeout_with_no_server_answering()
    {
        var h = new SessionCoreHarness(servers: 2, sessionTimeoutMs: 9000, requestTimeoutMs: 60_000);
        h.Connect(server: 0);
        var reading = h.Read(ReadKind.GetData, "/x");

        h.Advance(5990);
        Assert.Empty(h.States);
        // The session sends no heartbeat of its own: the process's shared one names it.
        Assert.IsType<ReadRequest>(Assert.Single(h.TakeSent()).Message);

        h.Advance(10);
        Assert.Equal([ConnectionState.Disconnected], h.States);
        var attach = h.Single<AttachRequest>(server: 1);
        Assert.Equal(SessionPhase.Attaching, h.Core.Phase);

        h.Advance(2990);
        Assert.False(reading.Task.IsCompleted);
        h.Advance(10);
        Assert.Equal(9000, h.Now);
        Assert.Equal([ConnectionState.Disconnected, ConnectionState.Expired], h.States);
        Assert.IsType<SessionExpiredException>(reading.Task.Exception!.InnerException);
        Assert.IsType<SessionExpiredException>(h.Write(new Delete("/x", -1)).Task.Exception!.InnerException);

        // An attach answered after the deadline is no longer heard: the cluster may have expired the session.
        h.Deliver(1, new AttachResponse(attach.RequestId, 9, 9000));
        Assert.Equal(SessionPhase.Expired, h.Core.Phase);
    }

    [Fact]
    public void The_deadline_counts_from_the_send_of_the_last_acknowledged_shared_heartbeat()
    {
        var h = new SessionCoreHarness(servers: 2, sessionTimeoutMs: 9000, requestTimeoutMs: 60_000);
        h.Connect(server: 0);
        Assert.Equal(SessionCoreHarness.Address(0), h.Core.HeartbeatGateway);
        Assert.Equal(9000, h.Core.HeartbeatTimeoutMs);
        h.Advance(5000);
        Assert.Empty(h.TakeSent());
        h.Run(h.Core.HeartbeatConfirmed(SessionCoreHarness.Address(0), sentAt: 3000, slot: 4));
        Assert.Equal(4, h.Core.LastSeenSlot);
        Assert.Equal(9000, h.Core.NextWakeAt);

        // Sent at 3 s: jeopardy at 3 + 6 = 9 s, not 5 + 6 (when the ack arrived).
        h.Advance(3990);
        Assert.Empty(h.States);
        h.Advance(10);
        Assert.Equal([ConnectionState.Disconnected], h.States);
        Assert.Null(h.Core.HeartbeatGateway);
    }

    [Fact]
    public void A_confirmation_from_a_gateway_the_session_left_still_moves_its_deadline_but_not_its_slot()
    {
        var h = new SessionCoreHarness(servers: 2, sessionTimeoutMs: 9000, requestTimeoutMs: 60_000);
        h.Connect(server: 0);
        h.Run(h.Core.ConnectionLost(h.Now, SessionCoreHarness.Address(0)));
        h.Single<AttachRequest>(server: 1);
        Assert.Equal(SessionPhase.Attaching, h.Core.Phase);

        // The leader heard the session's heartbeat through server 0 at 3 s: the cluster cannot expire it before 12 s.
        h.Run(h.Core.HeartbeatConfirmed(SessionCoreHarness.Address(0), sentAt: 3000, slot: 4));
        Assert.Equal(1, h.Core.LastSeenSlot);
        h.Advance(11_990, step: 1000);
        Assert.Equal(SessionPhase.Attaching, h.Core.Phase);
        h.Advance(10);
        Assert.Equal(SessionPhase.Expired, h.Core.Phase);
    }

    [Fact]
    public void A_shared_heartbeat_refused_as_not_owned_moves_the_session_on_and_as_unknown_expires_it()
    {
        var moving = new SessionCoreHarness(servers: 2);
        moving.Connect(server: 0);
        moving.Run(moving.Core.HeartbeatRefused(moving.Now, SessionCoreHarness.Address(1), RejectReason.NotSessionOwner));
        Assert.Equal(SessionPhase.Attached, moving.Core.Phase);
        moving.Run(moving.Core.HeartbeatRefused(moving.Now, SessionCoreHarness.Address(0), RejectReason.NotSessionOwner));
        moving.Single<AttachRequest>(server: 1);
        Assert.Equal([ConnectionState.Disconnected], moving.States);

        var gone = new SessionCoreHarness(servers: 2);
        gone.Connect(server: 0);
        gone.Run(gone.Core.HeartbeatRefused(gone.Now, SessionCoreHarness.Address(0), RejectReason.UnknownSession));
        Assert.Equal(SessionPhase.Expired, gone.Core.Phase);
        Assert.Null(gone.Core.NextWakeAt);
    }

    [Fact]
    public void An_idle_session_wakes_only_at_its_next_deadline()
    {
        var h = new SessionCoreHarness(servers: 2, sessionTimeoutMs: 9000, requestTimeoutMs: 1000, connectTimeoutMs: 60_000);
        var started = h.Start(0);
        var create = h.Single<WriteRequest>(0);
        Assert.Equal(1000, h.Core.NextWakeAt);
        h.Deliver(0, new WriteResponse(create.RequestId, 1, ResultCodec.Encode(new SessionCreatedResult(create.SessionId, 9000))));
        var attach = h.Single<AttachRequest>(0);
        Assert.Equal(1000, h.Core.NextWakeAt);
        h.Now = 200;
        h.Deliver(0, new AttachResponse(attach.RequestId, 1, 9000));
        Assert.True(started.Task.IsCompletedSuccessfully);
        // Attached, idle: the grace point of the attach (sent at 0), nothing earlier.
        Assert.Equal(6000, h.Core.NextWakeAt);
        var reading = h.Read(ReadKind.GetData, "/x");
        Assert.Equal(1200, h.Core.NextWakeAt);
        h.Deliver(0, new ReadResponse(h.Single<ReadRequest>(0).RequestId, 1, ErrorCode.NoNode, default, [], []));
        Assert.True(reading.Task.IsCompleted);
        Assert.Equal(6000, h.Core.NextWakeAt);
    }

    [Fact]
    public void Each_change_reaches_each_consumer_once_even_two_of_one_node_in_one_slot()
    {
        var h = new SessionCoreHarness();
        h.Connect();
        var oneShot = new List<WatchEvent>();
        var stream = new List<WatchEvent>();
        var reading = h.Read(ReadKind.GetData, "/a", oneShot.Add);
        var read = h.Single<ReadRequest>();
        h.Deliver(0, new ReadResponse(read.RequestId, 10, ErrorCode.Ok, SomeStat, [1], []));
        var subscribed = new TaskCompletionSource();
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(new WatchSubscription(new WatchRegistration("/a", WatchKind.Persistent), stream.Add), subscribed)));
        var add = h.Single<AddWatchRequest>();
        h.Deliver(0, new WatchAck(add.RequestId, 10, 3));
        Assert.True(reading.Task.IsCompletedSuccessfully && subscribed.Task.IsCompletedSuccessfully);

        var changed = new WatchNotification(h.Core.SessionId, WatchEventType.NodeDataChanged, "/a", 11, 0);
        h.Deliver(0, changed);
        h.Deliver(0, changed);
        h.Deliver(0, changed with { Index = 1 });
        h.Deliver(0, changed with { Type = WatchEventType.NodeDeleted, Index = 2 });
        h.Deliver(0, changed with { Slot = 12 });
        h.Deliver(0, changed with { Slot = 12 });

        Assert.Equal([new WatchEvent(WatchEventType.NodeDataChanged, "/a", 11, 0)], oneShot);
        Assert.Equal(
            [
                new WatchEvent(WatchEventType.NodeDataChanged, "/a", 11, 0),
                new WatchEvent(WatchEventType.NodeDataChanged, "/a", 11, 1),
                new WatchEvent(WatchEventType.NodeDeleted, "/a", 11, 2),
                new WatchEvent(WatchEventType.NodeDataChanged, "/a", 12, 0),
            ],
            stream);
        Assert.Equal(12, h.Core.LastSeenSlot);
    }

    [Fact]
    public void A_write_resent_after_failover_keeps_its_session_and_sequence_and_the_old_server_is_no_longer_heard()
    {
        var h = new SessionCoreHarness(servers: 2, requestTimeoutMs: 1000);
        h.Connect(server: 0);
        var first = h.Write(new SetData("/n", [7], -1));
        var second = h.Write(new SetData("/n", [8], -1));
        var sent = h.Single<WriteRequest>(server: 0);
        Assert.Equal(2, sent.Sequence);

        h.Advance(1000);
        Assert.Equal([ConnectionState.Disconnected], h.States);
        var attach = h.Single<AttachRequest>(server: 1);
        h.Deliver(1, new AttachResponse(attach.RequestId, 2, 9000));
        var resent = h.Single<WriteRequest>(server: 1);
        Assert.Equal((sent.SessionId, sent.Sequence, sent.Transaction), (resent.SessionId, resent.Sequence, resent.Transaction));

        // The server left behind answers late: not heard, so the answer cannot skew the order of what was seen.
        h.Deliver(0, new WriteResponse(sent.RequestId, 40, ResultCodec.Encode(new StatResult(SomeStat))));
        Assert.False(first.Task.IsCompleted);

        h.Deliver(1, new WriteResponse(resent.RequestId, 3, ResultCodec.Encode(new StatResult(SomeStat))));
        Assert.True(first.Task.IsCompletedSuccessfully);
        Assert.Equal(3, h.Core.LastSeenSlot);
        var next = h.Single<WriteRequest>(server: 1);
        Assert.Equal(3, next.Sequence);
        h.Deliver(1, new WriteResponse(next.RequestId, 4, ResultCodec.Encode(new StatResult(SomeStat))));
        Assert.True(second.Task.IsCompletedSuccessfully);
        Assert.Equal([ConnectionState.Disconnected, ConnectionState.Reconnected], h.States);
    }

    [Fact]
    public void A_write_refused_before_it_was_proposed_fails_and_the_next_write_goes_at_once_with_its_sequence()
    {
        var h = new SessionCoreHarness();
        h.Connect();
        var refused = h.Write(new Delete("/a", -1));
        var next = h.Write(new Delete("/b", -1));
        var sent = h.Single<WriteRequest>();
        h.Deliver(0, new RequestRejected(sent.RequestId, RejectReason.TooManyInFlight, "slow down"));

        Assert.Equal(RejectionReason.TooManyInFlight, Assert.IsType<RequestRejectedException>(refused.Task.Exception!.InnerException).Reason);
        var following = h.Single<WriteRequest>();
        Assert.Equal(sent.Sequence, following.Sequence);
        h.Deliver(0, SessionCoreHarness.Ok(following, 2));
        Assert.True(next.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_gateway_that_no_longer_takes_the_client_for_the_owner_makes_it_attach_again_and_resend()
    {
        var h = new SessionCoreHarness(servers: 2);
        h.Connect(server: 0);
        var write = h.Write(new Delete("/a", -1));
        var sent = h.Single<WriteRequest>(server: 0);

        h.Deliver(0, new RequestRejected(sent.RequestId, RejectReason.NotSessionOwner, "attached by another client"));

        Assert.False(write.Task.IsCompleted);
        var attach = h.Single<AttachRequest>(server: 1);
        h.Deliver(1, new AttachResponse(attach.RequestId, 2, 9000));
        var resent = h.Single<WriteRequest>(server: 1);
        Assert.Equal((sent.SessionId, sent.Sequence), (resent.SessionId, resent.Sequence));
        h.Deliver(1, SessionCoreHarness.Ok(resent, 3));
        Assert.True(write.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_lost_write_fails_with_connection_loss_once_every_server_had_its_turn_and_later_writes_follow_its_resend()
    {
        var h = new SessionCoreHarness(servers: 2, sessionTimeoutMs: 60_000, requestTimeoutMs: 1000);
        h.Connect(server: 0);
        var lost = h.Write(new Delete("/a", -1));
        var later = h.Write(new Delete("/b", -1));
        var sent = h.Single<WriteRequest>(server: 0);

        h.Advance(1000);
        h.Deliver(1, new AttachResponse(h.Single<AttachRequest>(server: 1).RequestId, 1, 60_000));
        var resent = h.Single<WriteRequest>(server: 1);
        Assert.False(lost.Task.IsCompleted);

        h.Advance(1000);
        Assert.IsType<ConnectionLossException>(lost.Task.Exception!.InnerException);
        h.Deliver(0, new AttachResponse(h.Single<AttachRequest>(server: 0).RequestId, 1, 60_000));
        var again = h.Single<WriteRequest>(server: 0);
        Assert.Equal((sent.Sequence, sent.Transaction), (again.Sequence, again.Transaction));
        Assert.Equal(sent.Sequence, resent.Sequence);

        h.Deliver(0, SessionCoreHarness.Ok(again, 5));
        var following = h.Single<WriteRequest>(server: 0);
        Assert.Equal(sent.Sequence + 1, following.Sequence);
        h.Deliver(0, SessionCoreHarness.Ok(following, 6));
        Assert.True(later.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_request_over_the_limit_fails_at_once_unsent_and_takes_no_sequence()
    {
        var h = new SessionCoreHarness(maxRequestBytes: 100);
        h.Connect();
        var big = h.Write(new Create("/big", new byte[200], NodeKind.Persistent, null, false));
        var error = Assert.IsType<RequestTooLargeException>(big.Task.Exception!.InnerException);
        Assert.Equal(100, error.Limit);
        Assert.True(error.Size > 200);
        Assert.Contains("100-byte limit", error.Message);
        Assert.Empty(h.TakeSent());

        var small = h.Write(new Delete("/big", -1));
        var sent = h.Single<WriteRequest>();
        Assert.Equal(2, sent.Sequence);
        h.Deliver(0, SessionCoreHarness.Ok(sent, 2));
        Assert.True(small.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public void Draws_a_new_identity_when_the_session_id_clashes_and_attaches_with_the_drawn_secret()
    {
        var h = new SessionCoreHarness();
        h.Start();
        var first = h.Single<WriteRequest>();
        h.Deliver(0, new WriteResponse(first.RequestId, 1, ResultCodec.Encode(new ErrorResult(ErrorCode.SessionExists))));
        var second = h.Single<WriteRequest>();
        Assert.Equal((1001L, 1002L), (first.SessionId, second.SessionId));
        h.Deliver(0, new WriteResponse(second.RequestId, 2, ResultCodec.Encode(new SessionCreatedResult(second.SessionId, 9000))));
        var attach = h.Single<AttachRequest>();
        Assert.Equal((1002L, -2L), (attach.SessionId, attach.Secret));
        Assert.Equal(-2, Assert.IsType<CreateSession>(TransactionCodec.Decode(second.Transaction).Value).Secret);
    }

    [Fact]
    public void Events_that_overtook_the_attach_answer_are_delivered_on_attach_before_the_waiting_requests_go_out()
    {
        var h = new SessionCoreHarness(servers: 2, requestTimeoutMs: 1000);
        h.Connect(server: 0);
        var events = new List<WatchEvent>();
        var watched = h.Read(ReadKind.Exists, "/w", events.Add);
        h.Deliver(0, new ReadResponse(h.Single<ReadRequest>().RequestId, 5, ErrorCode.NoNode, default, [], []));
        Assert.True(watched.Task.IsCompleted);

        h.Run(h.Core.ConnectionLost(h.Now, SessionCoreHarness.Address(0)));
        var attach = h.Single<AttachRequest>(server: 1);
        Assert.Equal([new ResumedWatch(new WatchRegistration("/w", WatchKind.Data), EventPosition.After(5))], attach.Watches);
        Assert.Equal(5, attach.LastSeenSlot);
        var reading = h.Read(ReadKind.GetData, "/w");
        Assert.Empty(h.TakeSent());
        h.Deliver(1, new ResumeStarted(attach.RequestId));
        h.Deliver(1, new WatchNotification(h.Core.SessionId, WatchEventType.NodeCreated, "/w", 6, 0));
        Assert.Empty(events);
        h.Outputs.Clear();
        h.Deliver(1, new AttachResponse(attach.RequestId, 6, 9000));

        Assert.Equal([new WatchEvent(WatchEventType.NodeCreated, "/w", 6)], events);
        Assert.Equal(
            [typeof(PublishState), typeof(DeliverEvent), typeof(SendToServer)],
            h.Outputs.Select(o => o.GetType()));
        var read = h.Single<ReadRequest>(server: 1);
        Assert.Equal(6, read.LastSeenSlot);
        h.Deliver(1, new ReadResponse(read.RequestId, 6, ErrorCode.Ok, SomeStat, [1], []));
        Assert.True(reading.Task.IsCompletedSuccessfully);
    }

    /// <summary>
    /// Seeds 5001 and 5018 of the fault harness's long mode: a session still attached at the gateway it fails over to
    /// (it had left that gateway seconds before) is sent that attachment's live events before the replay, and held
    /// first they moved the watch past the replay's older events, which were then dropped as already seen.
    /// </summary>
    [Fact]
    public void Live_events_of_an_attachment_the_session_had_left_do_not_hide_the_replay_that_follows_them()
    {
        var h = new SessionCoreHarness(servers: 2, requestTimeoutMs: 1000);
        h.Connect(server: 0);
        var events = new List<WatchEvent>();
        var subscribed = new TaskCompletionSource();
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(new WatchSubscription(new WatchRegistration("/w", WatchKind.PersistentRecursive), events.Add), subscribed)));
        h.Deliver(0, new WatchAck(h.Single<AddWatchRequest>().RequestId, 10, 0));
        h.Run(h.Core.ConnectionLost(h.Now, SessionCoreHarness.Address(0)));
        var attach = h.Single<AttachRequest>(server: 1);
        Assert.Equal(new EventPosition(10, 0), Assert.Single(attach.Watches).SeenThrough);

        var changed = new WatchNotification(h.Core.SessionId, WatchEventType.NodeDataChanged, "/w/a", 20, 0);
        h.Deliver(1, changed);
        h.Deliver(1, new ResumeStarted(attach.RequestId));
        h.Deliver(1, changed with { Slot = 12 });
        h.Deliver(1, changed with { Slot = 15 });
        h.Deliver(1, changed);
        h.Deliver(1, new AttachResponse(attach.RequestId, 20, 9000));
        h.Deliver(1, changed with { Slot = 21 });

        Assert.Equal([12, 15, 20, 21], events.Select(e => e.Slot));
    }

    [Fact]
    public void Closing_ends_every_pending_call_and_stream_and_later_calls_fail_as_disposed()
    {
        var h = new SessionCoreHarness();
        h.Connect();
        Exception? ended = null;
        var subscribed = new TaskCompletionSource();
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(new WatchSubscription(new WatchRegistration("/", WatchKind.PersistentRecursive), _ => { }, e => ended = e), subscribed)));
        h.Deliver(0, new WatchAck(h.Single<AddWatchRequest>().RequestId, 1, 0));
        var pending = h.Read(ReadKind.GetChildren, "/");

        var stopped = new TaskCompletionSource();
        h.Run(h.Core.Shutdown(stopped));
        Assert.True(stopped.Task.IsCompletedSuccessfully);
        Assert.IsType<ObjectDisposedException>(pending.Task.Exception!.InnerException);
        Assert.IsType<ObjectDisposedException>(ended);
        Assert.Equal([ConnectionState.Closed], h.States);
        Assert.True(h.Core.Ended);
        Assert.IsType<ObjectDisposedException>(h.Read(ReadKind.GetData, "/").Task.Exception!.InnerException);
    }
}
