using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Gateway;

/// <summary>
/// The gateway's decisions with no actor and no network: clients are names, time is a number the test moves, the
/// replica is whatever the test answers to the outbox.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GatewayCoreTests
{
    private const string Alice = "alice";
    private const string Mallory = "mallory";
    private const long AliceSession = 11;
    private const long AliceSecret = 4711;

    private readonly GatewayCore<string> _core = new(GatewaySettings.Default with
    {
        MaxInFlightPerSession = 3,
        MaxRequestBytes = 1000,
        MaxBytesInFlightPerSession = 2500,
        MaxWatchesPerSession = 2,
        WriteGiveUpAfter = TimeSpan.FromSeconds(10),
    });

    private long _now = 1_000;
    private long _slot;
    private long _requestId;

    [Fact]
    public void A_create_session_attaches_its_session_to_the_client_that_sent_it_once_the_log_created_it()
    {
        var requestId = Write(Alice, AliceSession, 1, new CreateSession(10_000, AliceSecret));
        Assert.False(_core.IsAttachedBy(AliceSession, Alice));
        Assert.Empty(Drain().Watch);

        Applied(Propose(AliceSession, 1, new SessionCreatedResult(AliceSession, 10_000)));
        Assert.True(_core.IsAttachedBy(AliceSession, Alice));
        var outbox = Drain();
        Assert.Equal([Alice], outbox.Watch);
        Assert.Equal(requestId, Assert.IsType<WriteResponse>(Assert.Single(outbox.ToClients).Message).RequestId);
    }

    [Fact]
    public void A_create_refused_by_the_log_attaches_nothing()
    {
        Write(Mallory, AliceSession, 1, new CreateSession(10_000, 1));
        Applied(Propose(AliceSession, 1, new ErrorResult(ErrorCode.SessionExists)));
        Assert.False(_core.IsAttachedBy(AliceSession, Mallory));
        Assert.Empty(Drain().Watch);
    }

    [Fact]
    public void A_resent_write_is_proposed_again_and_answered_once_to_its_latest_request_id()
    {
        CreateSession(Alice, AliceSession);
        var first = Write(Alice, AliceSession, 2, new Create("/a", [1], NodeKind.Persistent));
        var second = Write(Alice, AliceSession, 2, new Create("/a", [1], NodeKind.Persistent));
        Assert.Equal(2, Drain().ToReplica.OfType<ProposeRequest>().Count(p => p.Command.Sequence == 2));

        Applied(Propose(AliceSession, 2, OkResult.Instance));
        // A late duplicate of the replica's answer finds nothing left to answer.
        Propose(AliceSession, 2, OkResult.Instance);
        Applied(++_slot);
        var answer = Assert.IsType<WriteResponse>(Assert.Single(Replies(Alice)));
        Assert.Equal(second, answer.RequestId);
        Assert.NotEqual(first, answer.RequestId);
    }

    [Fact]
    public void Answers_are_held_until_their_slot_is_applied_and_released_in_slot_order()
    {
        CreateSession(Alice, AliceSession);
        CreateSession("bob", 12);
        CreateSession("carol", 13);
        Write(Alice, AliceSession, 2, new SetData("/x", [1]));
        Write("bob", 12, 2, new SetData("/x", [2]));
        Write("carol", 13, 2, new SetData("/x", [3]));
        Drain();
        var slot = _slot;
        Propose(13, 2, OkResult.Instance, slot + 3);
        Propose(AliceSession, 2, OkResult.Instance, slot + 1);
        Propose(12, 2, OkResult.Instance, slot + 2);
        Assert.Empty(Drain().ToClients);

        _core.OnApplied(new CommandApplied(slot + 1, [new NodeDataChanged("/x", slot + 1)]));
        Assert.Equal([Alice], Drain().ToClients.Select(reply => reply.Client));
        _core.OnApplied(new CommandApplied(slot + 3, []));
        var released = Drain().ToClients;
        Assert.Equal(["bob", "carol"], released.Select(reply => reply.Client));
        Assert.Equal([slot + 2, slot + 3], released.Select(reply => ((WriteResponse)reply.Message).Slot));
    }

    [Fact]
    public void A_watch_event_goes_out_before_the_answer_of_the_write_that_caused_it()
    {
        CreateSession(Alice, AliceSession);
        _core.OnAddWatch(Alice, new AddWatchRequest(++_requestId, AliceSession, new WatchRegistration("/x", WatchKind.Persistent)));
        Write(Alice, AliceSession, 2, new SetData("/x", [1]));
        Drain();
        var slot = Propose(AliceSession, 2, OkResult.Instance);
        _core.OnApplied(new CommandApplied(slot, [new NodeDataChanged("/x", slot)]));
        Assert.Collection(Replies(Alice), first => Assert.IsType<WatchNotification>(first), second => Assert.IsType<WriteResponse>(second));
    }

    [Fact]
    public void A_sync_of_an_attached_session_waits_for_a_read_index_and_then_for_the_replica_to_apply_below_it()
    {
        CreateSession(Alice, AliceSession);
        Write(Alice, AliceSession, 2, Sync.Instance);
        var asked = Assert.Single(Drain().ToReplica.OfType<ReadIndexRequest>());
        _core.OnReadIndex(new ReadIndexResponse(asked.RequestId, null, 0));
        Assert.Equal([new WriteKey(AliceSession, 2)], Drain().RetryLater);

        _core.OnReadIndex(new ReadIndexResponse(asked.RequestId, _slot + 2, 0));
        Assert.Empty(Drain().ToClients);
        Applied(_slot + 1);
        Assert.Equal(_slot + 1, Assert.IsType<WriteResponse>(Assert.Single(Replies(Alice))).Slot);
    }

    /// <summary>Issue 17: a linearizable read in one request, not a sync in the session's write queue and then a read.</summary>
    [Fact]
    public void A_linearizable_read_takes_a_read_index_then_runs_no_older_than_it_asking_again_when_no_leader_answered()
    {
        CreateSession(Alice, AliceSession);
        Drain();
        var read = new ReadRequest(++_requestId, AliceSession, 3, ReadKind.GetData, "/a", Watch: false, Linearizable: true);

        Assert.False(_core.AdmitRead(Alice, read));
        var asked = Assert.Single(_core.Outbox.ToReplica.OfType<ReadIndexRequest>());
        Assert.Empty(_core.Outbox.ReadsToRun);
        _core.Outbox.Clear();

        _core.OnReadIndex(new ReadIndexResponse(asked.RequestId, null, 0));
        Assert.Equal([asked.RequestId], _core.Outbox.ReadIndexRetries);
        Assert.Empty(_core.Outbox.ReadsToRun);
        _core.Outbox.Clear();
        _core.OnRetryReadIndex(asked.RequestId);
        Assert.Equal(asked, Assert.Single(_core.Outbox.ToReplica));
        _core.Outbox.Clear();
        _core.OnLeaderChanged();
        Assert.Contains(asked, _core.Outbox.ToReplica);
        _core.Outbox.Clear();

        _core.OnReadIndex(new ReadIndexResponse(asked.RequestId, 42, 0));
        Assert.Equal((Alice, read with { LastSeenSlot = 41 }), Assert.Single(_core.Outbox.ReadsToRun));
        _core.Outbox.Clear();
        _core.OnReadIndex(new ReadIndexResponse(asked.RequestId, 43, 0));
        Assert.Empty(_core.Outbox.ReadsToRun);

        var already = read with { RequestId = ++_requestId, LastSeenSlot = 50 };
        Assert.False(_core.AdmitRead(Alice, already));
        var second = Assert.Single(_core.Outbox.ToReplica.OfType<ReadIndexRequest>());
        _core.Outbox.Clear();
        _core.OnReadIndex(new ReadIndexResponse(second.RequestId, 42, 0));
        Assert.Equal(50, Assert.Single(_core.Outbox.ReadsToRun).Read.LastSeenSlot);
    }

    [Fact]
    public void Writes_past_the_size_or_in_flight_limits_are_refused_and_the_limit_frees_when_answered()
    {
        CreateSession(Alice, AliceSession);
        Write(Alice, AliceSession, 2, new Create("/big", new byte[1200], NodeKind.Persistent));
        Assert.Equal(RejectReason.RequestTooLarge, Rejection(Alice));

        Write(Alice, AliceSession, 2, new Create("/a", new byte[900], NodeKind.Persistent));
        Write(Alice, AliceSession, 3, new Create("/b", new byte[900], NodeKind.Persistent));
        Drain();
        Write(Alice, AliceSession, 4, new Create("/c", new byte[900], NodeKind.Persistent));
        Assert.Equal(RejectReason.TooManyInFlight, Rejection(Alice));
        Write(Alice, AliceSession, 4, new Create("/c", [1], NodeKind.Persistent));
        Drain();
        Write(Alice, AliceSession, 5, new Create("/d", [1], NodeKind.Persistent));
        Assert.Equal(RejectReason.TooManyInFlight, Rejection(Alice));

        Applied(Propose(AliceSession, 2, OkResult.Instance));
        Drain();
        Write(Alice, AliceSession, 5, new Create("/d", [1], NodeKind.Persistent));
        Assert.Single(Drain().ToReplica.OfType<ProposeRequest>());
    }

    [Fact]
    public void A_client_with_several_sessions_gets_no_more_room_in_flight_than_one_session()
    {
        CreateSession(Alice, AliceSession);
        CreateSession(Alice, 21);
        Write(Alice, AliceSession, 2, new Create("/a", [], NodeKind.Persistent));
        Write(Alice, AliceSession, 3, new Create("/b", [], NodeKind.Persistent));
        Assert.True(_core.AdmitRead(Alice, new ReadRequest(++_requestId, 21, 0, ReadKind.GetData, "/a", false)));
        Drain();
        Write(Alice, 21, 2, new Create("/c", [], NodeKind.Persistent));
        Assert.Equal(RejectReason.TooManyInFlight, Rejection(Alice));
        Assert.False(_core.AdmitRead(Alice, new ReadRequest(++_requestId, AliceSession, 0, ReadKind.GetData, "/a", false)));
        Assert.Equal(RejectReason.TooManyInFlight, Rejection(Alice));
    }

    [Fact]
    public void A_client_writes_reads_heartbeats_and_watches_only_for_the_sessions_it_attached()
    {
        CreateSession(Alice, AliceSession);
        CreateSession(Mallory, 66);

        Write(Mallory, AliceSession, 2, new Delete("/victim"));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        Write(Mallory, AliceSession, 1, new CreateSession(10_000, 1));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        Write(Mallory, 999, 2, new Create("/x", [], NodeKind.Persistent));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        Assert.False(_core.AdmitRead(Mallory, new ReadRequest(++_requestId, AliceSession, 0, ReadKind.GetData, "/victim", false)));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        Assert.False(_core.AdmitRead(Mallory, new ReadRequest(++_requestId, 0, 0, ReadKind.GetData, "/victim", false)));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        _core.OnHeartbeat(Mallory, new Heartbeat(AliceSession), _now);
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        _core.OnHeartbeat(Mallory, new Heartbeat(12345), _now);
        Assert.Equal(RejectReason.UnknownSession, Rejection(Mallory));
        _core.OnAddWatch(Mallory, new AddWatchRequest(++_requestId, 424242, new WatchRegistration("/", WatchKind.PersistentRecursive)));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        _core.OnRemoveWatch(Mallory, new RemoveWatchRequest(++_requestId, AliceSession, new WatchRegistration("/", WatchKind.PersistentRecursive)));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));

        Assert.Equal(0, _core.WatchCount);
        Assert.True(_core.IsAttachedBy(AliceSession, Alice));
        Assert.True(_core.AdmitRead(Alice, new ReadRequest(++_requestId, AliceSession, 0, ReadKind.GetData, "/victim", false)));
        Write(Mallory, 66, 2, new Create("/own", [], NodeKind.Persistent));
        Assert.Single(Drain().ToReplica.OfType<ProposeRequest>());
    }

    [Fact]
    public void System_transactions_and_the_system_session_are_refused_from_any_client()
    {
        CreateSession(Mallory, 66);
        Transaction[] system = [new ExpireSession(AliceSession), new TouchSession(AliceSession), Tick.Instance];
        foreach (var transaction in system)
        {
            Write(Mallory, 66, 2, transaction);
            Assert.Equal(RejectReason.NotAllowed, Rejection(Mallory));
            Write(Mallory, CoordinatorStateMachine.SystemSessionId, 2, transaction);
            Assert.Equal(RejectReason.NotAllowed, Rejection(Mallory));
        }
        Write(Mallory, CoordinatorStateMachine.SystemSessionId, 2, Sync.Instance);
        Assert.Equal(RejectReason.NotAllowed, Rejection(Mallory));
        _core.OnWrite(Mallory, new WriteRequest(++_requestId, 66, 2, [TransactionCodec.FormatVersion, 0xEE]), _now);
        Assert.Equal(RejectReason.NotAllowed, Rejection(Mallory));
        _core.OnWrite(Mallory, new WriteRequest(++_requestId, 66, 2, [0xFF, 0x00]), _now);
        Assert.Equal(RejectReason.UnsupportedVersion, Rejection(Mallory));
    }

    [Fact]
    public void A_pending_create_cannot_be_taken_over_by_another_client_resending_its_key()
    {
        Write(Alice, AliceSession, 1, new CreateSession(10_000, AliceSecret));
        Drain();
        Write(Mallory, AliceSession, 1, new CreateSession(10_000, 1));
        Assert.Equal(RejectReason.NotSessionOwner, Rejection(Mallory));
        Applied(Propose(AliceSession, 1, new SessionCreatedResult(AliceSession, 10_000)));
        Assert.True(_core.IsAttachedBy(AliceSession, Alice));
        Assert.Empty(Replies(Mallory));
    }

    [Fact]
    public void Attach_checks_the_secret_and_moves_the_session_and_drops_the_old_clients_watches()
    {
        CreateSession(Alice, AliceSession);
        _core.OnAddWatch(Alice, new AddWatchRequest(++_requestId, AliceSession, new WatchRegistration("/x", WatchKind.Persistent)));
        Drain();
        Assert.False(_core.AdmitAttach(Mallory, new AttachRequest(++_requestId, 0, 0, 0, [], [])));
        Assert.Equal(RejectReason.NotAllowed, Rejection(Mallory));

        Attach(Mallory, AliceSession, secret: AliceSecret + 1, session: Session(AliceSession, AliceSecret));
        Assert.Equal(RejectReason.WrongSecret, Rejection(Mallory));
        Attach(Mallory, 777, secret: 1, session: null);
        Assert.Equal(RejectReason.UnknownSession, Rejection(Mallory));
        Assert.True(_core.IsAttachedBy(AliceSession, Alice));
        Assert.Equal(1, _core.WatchCountOf(AliceSession));

        // The same client from elsewhere (a new actor after a restart): the secret is the proof.
        Attach("alice-again", AliceSession, secret: AliceSecret, session: Session(AliceSession, AliceSecret));
        var outbox = Drain();
        Assert.Equal(["alice-again"], outbox.Watch);
        Assert.Equal([Alice], outbox.Unwatch);
        Assert.Equal(0, _core.WatchCountOf(AliceSession));
        Assert.False(_core.IsAttachedBy(AliceSession, Alice));
        var report = Assert.Single(outbox.ToReplica.OfType<SessionsAlive>());
        _core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        Assert.IsType<AttachResponse>(Assert.Single(Replies("alice-again")));
    }

    [Fact]
    public void Watches_are_bounded_per_session_and_go_when_the_client_goes_or_the_session_ends()
    {
        CreateSession(Alice, AliceSession);
        CreateSession("bob", 12);
        foreach (var path in new[] { "/a", "/b", "/b", "/c" })
        {
            _core.OnAddWatch(Alice, new AddWatchRequest(++_requestId, AliceSession, new WatchRegistration(path, WatchKind.Persistent)));
        }
        Assert.Equal([typeof(WatchAck), typeof(WatchAck), typeof(WatchAck), typeof(RequestRejected)], Replies(Alice).Select(reply => reply.GetType()));
        var read = new ReadRequest(++_requestId, AliceSession, 0, ReadKind.GetData, "/d", true);
        Assert.True(_core.AdmitRead(Alice, read));
        _core.OnReadDone(Alice, read, new ReadOutcome(ErrorCode.Ok, default, [], []), _slot + 1);
        Assert.Equal(RejectReason.TooManyWatches, Rejection(Alice));
        Assert.False(_core.AdmitAttach(Alice, new AttachRequest(++_requestId, AliceSession, AliceSecret, 0,
            [Resumed("/a", WatchKind.Data), Resumed("/b", WatchKind.Data), Resumed("/c", WatchKind.Data)], [])));
        Assert.Equal(RejectReason.TooManyWatches, Rejection(Alice));

        _core.OnAddWatch("bob", new AddWatchRequest(++_requestId, 12, new WatchRegistration("/a", WatchKind.Data)));
        Assert.Equal(3, _core.WatchCount);
        _core.OnClientGone(Alice);
        Assert.Equal(1, _core.WatchCount);
        Assert.False(_core.IsAttachedBy(AliceSession, Alice));

        _core.OnApplied(new CommandApplied(++_slot, [new SessionClosed(12, _slot)]));
        Assert.Equal(0, _core.WatchCount);
        Assert.Equal(0, _core.AttachedCount);
        var outbox = Drain();
        Assert.Equal([typeof(WatchAck), typeof(SessionEndedNotification)], outbox.ToClients.Select(reply => reply.Message.GetType()));
        Assert.Equal(["bob"], outbox.Unwatch);
    }

    [Fact]
    public void Two_changes_to_one_node_in_one_slot_are_two_events_numbered_across_the_slots_commands()
    {
        CreateSession(Alice, AliceSession);
        _core.OnAddWatch(Alice, new AddWatchRequest(++_requestId, AliceSession, new WatchRegistration("/a", WatchKind.Persistent)));
        var slot = ++_slot;
        _core.OnApplied(new CommandApplied(slot, [new NodeDataChanged("/a", slot)]));
        _core.OnApplied(new CommandApplied(slot, [new NodeCreated("/b", slot), new NodeDataChanged("/a", slot)]));

        var events = Replies(Alice).OfType<WatchNotification>().Select(n => (n.Type, n.Path, n.Position)).ToList();
        Assert.Equal(
            [(WatchEventType.NodeDataChanged, "/a", new EventPosition(slot, 0)), (WatchEventType.NodeDataChanged, "/a", new EventPosition(slot, 2))],
            events);
    }

    [Fact]
    public void A_watch_resumed_here_gets_every_change_it_missed_in_order_once_then_live_ones()
    {
        CreateSession(Alice, AliceSession);
        var before = ++_slot;
        _core.OnApplied(new CommandApplied(before, [new NodeCreated("/app/x", before)]));
        var missedSlot = ++_slot;
        _core.OnApplied(new CommandApplied(missedSlot, [new NodeDataChanged("/app/x", missedSlot), new NodeCreated("/other", missedSlot), new NodeDataChanged("/app/x", missedSlot)]));
        var deleted = ++_slot;
        _core.OnApplied(new CommandApplied(deleted, [new NodeDeleted("/config", deleted)]));
        Drain();

        var attach = new AttachRequest(++_requestId, AliceSession, AliceSecret, before,
            [Resumed("/app", WatchKind.PersistentRecursive, new EventPosition(before, 0)), Resumed("/config", WatchKind.Data, EventPosition.After(before))], []);
        Assert.True(_core.AdmitAttach(Alice, attach));
        _core.OnAttachInspected(Alice, attach, new AttachOutcome(Session(AliceSession, AliceSecret), [default, default], []), _slot + 1, _now);
        var live = ++_slot;
        _core.OnApplied(new CommandApplied(live, [new NodeCreated("/app/y", live), new NodeCreated("/config", live)]));

        Assert.Equal(
            [
                (WatchEventType.NodeDataChanged, "/app/x", new EventPosition(missedSlot, 0)),
                (WatchEventType.NodeDataChanged, "/app/x", new EventPosition(missedSlot, 2)),
                (WatchEventType.NodeDeleted, "/config", new EventPosition(deleted, 0)),
                (WatchEventType.NodeCreated, "/app/y", new EventPosition(live, 0)),
            ],
            Replies(Alice).OfType<WatchNotification>().Select(n => (n.Type, n.Path, n.Position)));
        Assert.Equal(1, _core.WatchCountOf(AliceSession));
    }

    [Fact]
    public void An_attach_of_a_session_still_attached_here_marks_where_its_replay_starts_after_the_live_events_already_sent()
    {
        CreateSession(Alice, AliceSession);
        _core.OnAddWatch(Alice, new AddWatchRequest(++_requestId, AliceSession, new WatchRegistration("/app", WatchKind.PersistentRecursive)));
        var seen = ++_slot;
        _core.OnApplied(new CommandApplied(seen, [new NodeCreated("/app/x", seen)]));
        Drain();
        var missed = ++_slot;
        _core.OnApplied(new CommandApplied(missed, [new NodeDataChanged("/app/x", missed)]));

        var attach = new AttachRequest(++_requestId, AliceSession, AliceSecret, seen, [Resumed("/app", WatchKind.PersistentRecursive, new EventPosition(seen, 0))], []);
        Assert.True(_core.AdmitAttach(Alice, attach));
        _core.OnAttachInspected(Alice, attach, new AttachOutcome(Session(AliceSession, AliceSecret), [default], []), _slot + 1, _now);

        Assert.Equal(
            [
                new WatchNotification(AliceSession, WatchEventType.NodeDataChanged, "/app/x", missed, 0),
                new ResumeStarted(attach.RequestId),
                new WatchNotification(AliceSession, WatchEventType.NodeDataChanged, "/app/x", missed, 0),
            ],
            Replies(Alice));
    }

    [Fact]
    public void A_watch_that_saw_its_last_change_before_the_history_gets_compacted_and_then_live_changes()
    {
        var core = new GatewayCore<string>(GatewaySettings.Default with { WatchHistoryChanges = 2 });
        for (var slot = 1; slot <= 4; slot++)
        {
            core.OnApplied(new CommandApplied(slot, [new NodeDataChanged("/a", slot)]));
        }
        Assert.Equal(2, core.HistoryCount);
        core.Outbox.Clear();

        var attach = new AttachRequest(2, AliceSession, AliceSecret, 1, [Resumed("/a", WatchKind.Persistent, new EventPosition(1, 0))], []);
        core.OnAttachInspected(Alice, attach, new AttachOutcome(Session(AliceSession, AliceSecret), [default], []), 5, _now);

        var notification = Assert.Single(core.Outbox.ToClients.Select(sent => sent.Message).OfType<WatchNotification>());
        Assert.Equal((WatchEventType.Compacted, "/a", new EventPosition(4, 0)), (notification.Type, notification.Path, notification.Position));
        Assert.Equal(1, core.WatchCountOf(AliceSession));
    }

    [Fact]
    public void After_a_snapshot_install_the_history_knows_nothing_before_it()
    {
        CreateSession(Alice, AliceSession);
        var first = ++_slot;
        _core.OnApplied(new CommandApplied(first, [new NodeDataChanged("/a", first)]));
        _slot += 10;
        _core.OnStateInstalled(_slot + 1);
        Drain();

        var attach = new AttachRequest(++_requestId, AliceSession, AliceSecret, first, [Resumed("/a", WatchKind.PersistentRecursive, new EventPosition(first, 0))], []);
        _core.OnAttachInspected(Alice, attach, new AttachOutcome(Session(AliceSession, AliceSecret), [default], []), _slot + 1, _now);

        Assert.Equal(WatchEventType.Compacted, Assert.Single(Replies(Alice).OfType<WatchNotification>()).Type);
    }

    [Fact]
    public void A_one_shot_watch_fires_once_and_stops_counting_against_its_session()
    {
        CreateSession(Alice, AliceSession);
        var read = new ReadRequest(++_requestId, AliceSession, 0, ReadKind.Exists, "/later", true);
        Assert.True(_core.AdmitRead(Alice, read));
        _core.OnReadDone(Alice, read, new ReadOutcome(ErrorCode.NoNode, default, [], []), _slot + 1);
        Assert.Equal(1, _core.WatchCountOf(AliceSession));
        _core.OnApplied(new CommandApplied(++_slot, [new NodeCreated("/later", _slot)]));
        _core.OnApplied(new CommandApplied(++_slot, [new NodeDataChanged("/later", _slot)]));
        Assert.Equal([typeof(ReadResponse), typeof(WatchNotification)], Replies(Alice).Select(reply => reply.GetType()));
        Assert.Equal(0, _core.WatchCountOf(AliceSession));
    }

    [Fact]
    public void Heartbeats_are_acknowledged_only_after_the_leader_confirmed_the_report_that_carried_them()
    {
        CreateSession(Alice, AliceSession);
        _core.OnHeartbeat(Alice, new Heartbeat(AliceSession), _now);
        _core.ReportLiveness();
        var report = Assert.Single(Drain().ToReplica.OfType<SessionsAlive>());
        Assert.Equal([AliceSession], report.SessionIds);

        _core.OnLeaderChanged();
        Assert.Equal(report.ReportId, Assert.Single(Drain().ToReplica.OfType<SessionsAlive>()).ReportId);
        _core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        _core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        Assert.IsType<HeartbeatAck>(Assert.Single(Replies(Alice)));
    }

    [Fact]
    public void A_silent_attachment_is_forgotten_and_a_write_no_leader_takes_is_given_up()
    {
        CreateSession(Alice, AliceSession, timeoutMs: 2_000);
        var requestId = Write(Alice, AliceSession, 2, new Create("/a", [], NodeKind.Persistent));
        Propose(AliceSession, 2, null);
        Assert.Equal([new WriteKey(AliceSession, 2)], Drain().RetryLater);

        _now += 2_001;
        _core.Sweep(_now);
        Assert.False(_core.IsAttachedBy(AliceSession, Alice));
        Assert.Equal([Alice], Drain().Unwatch);

        _now += 10_000;
        _core.Sweep(_now);
        var outbox = Drain();
        Assert.Equal([new WriteKey(AliceSession, 2)], outbox.CancelRetry);
        var refused = Assert.IsType<RequestRejected>(Assert.Single(outbox.ToClients).Message);
        Assert.Equal((requestId, RejectReason.NoQuorum), (refused.RequestId, refused.Reason));
    }

    private void CreateSession(string client, long sessionId, int timeoutMs = 10_000)
    {
        Write(client, sessionId, 1, new CreateSession(timeoutMs, AliceSecret));
        Applied(Propose(sessionId, 1, new SessionCreatedResult(sessionId, timeoutMs)));
        Drain();
    }

    private long Write(string client, long sessionId, long sequence, Transaction transaction)
    {
        var requestId = ++_requestId;
        _core.OnWrite(client, new WriteRequest(requestId, sessionId, sequence, TransactionCodec.Encode(transaction)), _now);
        return requestId;
    }

    /// <summary>The replica's answer to a proposal; with a null result, no leader took it.</summary>
    private long Propose(long sessionId, long sequence, OpResult? result, long? slot = null)
    {
        var at = slot ?? ++_slot;
        _slot = Math.Max(_slot, at);
        _core.OnProposeResponse(result is null
            ? new ProposeResponse(sessionId, sequence, ProposeStatus.NotLeader, 0, 0, [])
            : new ProposeResponse(sessionId, sequence, ProposeStatus.Applied, 0, at, ResultCodec.Encode(result)), _now);
        return at;
    }

    private void Applied(long slot) => _core.OnApplied(new CommandApplied(slot, []));

    private void Attach(string client, long sessionId, long secret, SessionInfo? session)
    {
        var attach = new AttachRequest(++_requestId, sessionId, secret, _slot, [], []);
        Assert.True(_core.AdmitAttach(client, attach));
        _core.OnAttachInspected(client, attach, new AttachOutcome(session, [], []), _slot + 1, _now);
    }

    private static SessionInfo Session(long sessionId, long secret) => new(sessionId, 10_000, secret, 0, 0, 1, [], []);

    private static ResumedWatch Resumed(string path, WatchKind kind, EventPosition seenThrough = default) =>
        new(new WatchRegistration(path, kind), seenThrough);

    /// <summary>What the core decided since the last drain, after which the outbox is empty again.</summary>
    private Decisions Drain()
    {
        var outbox = _core.Outbox;
        var decisions = new Decisions([.. outbox.ToClients], [.. outbox.ToReplica], [.. outbox.RetryLater], [.. outbox.CancelRetry], [.. outbox.Watch], [.. outbox.Unwatch]);
        outbox.Clear();
        return decisions;
    }

    private List<ClientMessage> Replies(string client) => [.. Drain().ToClients.Where(reply => reply.Client == client).Select(reply => reply.Message)];

    /// <summary>The one answer the client got, a refusal, with nothing sent to the replica for it.</summary>
    private RejectReason Rejection(string client)
    {
        var outbox = Drain();
        Assert.Empty(outbox.ToReplica);
        var reply = Assert.Single(outbox.ToClients);
        Assert.Equal(client, reply.Client);
        return Assert.IsType<RequestRejected>(reply.Message).Reason;
    }

    private sealed record Decisions(
        List<(string Client, ClientMessage Message)> ToClients,
        List<object> ToReplica,
        List<WriteKey> RetryLater,
        List<WriteKey> CancelRetry,
        List<string> Watch,
        List<string> Unwatch);
}
