using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.FaultInjection;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;
using Coordinator.Tests.ClientLibrary;

namespace Coordinator.Tests.Watch;

/// <summary>
/// A watch asked from a slot (issue 18, "start from a slot"): the gateway answers, then replays its history after that
/// slot, then goes live, each change once; a slot its history no longer reaches gets a Compacted answer. The client
/// core delivers the replay to the new consumer only, and a consumer from a slot still ahead skips what it asked not
/// to see. Pure cores, no actors.
/// </summary>
[Trait("Category", "Watch")]
public sealed class WatchFromSlotTests
{
    private const string Alice = "alice";
    private const long AliceSession = 11;
    private const long AliceSecret = 4711;

    [Fact]
    public void The_gateway_answers_then_replays_the_changes_after_the_slot_then_streams_live_ones()
    {
        var core = AttachedCore(GatewaySettings.Default);
        core.OnApplied(new CommandApplied(2, [new NodeDataChanged("/app/x", 2)]));
        core.OnApplied(new CommandApplied(3, [new NodeDataChanged("/app/x", 3), new NodeCreated("/other", 3), new NodeCreated("/app/y", 3)]));
        core.OnApplied(new CommandApplied(4, [new NodeDeleted("/app/x", 4)]));
        core.Outbox.Clear();

        core.OnAddWatch(Alice, new AddWatchRequest(7, AliceSession, new WatchRegistration("/app", WatchKind.PersistentRecursive), EventPosition.After(2)));
        core.OnApplied(new CommandApplied(5, [new NodeDataChanged("/app/y", 5)]));

        var sent = core.Outbox.ToClients.Select(sent => sent.Message).ToList();
        var ack = Assert.IsType<WatchAck>(sent[0]);
        Assert.Equal((7L, 4L, false), (ack.RequestId, ack.Slot, ack.Compacted));
        Assert.Equal(
            [
                (WatchEventType.NodeDataChanged, "/app/x", new EventPosition(3, 0)),
                (WatchEventType.NodeCreated, "/app/y", new EventPosition(3, 2)),
                (WatchEventType.NodeDeleted, "/app/x", new EventPosition(4, 0)),
                (WatchEventType.NodeDataChanged, "/app/y", new EventPosition(5, 0)),
            ],
            sent.Skip(1).Cast<WatchNotification>().Select(n => (n.Type, n.Path, n.Position)));
    }

    [Fact]
    public void A_slot_older_than_the_history_is_answered_compacted_with_no_replay()
    {
        var core = AttachedCore(GatewaySettings.Default with { WatchHistoryChanges = 2 });
        for (var slot = 2; slot <= 5; slot++)
        {
            core.OnApplied(new CommandApplied(slot, [new NodeDataChanged("/a", slot)]));
        }
        core.Outbox.Clear();

        core.OnAddWatch(Alice, new AddWatchRequest(7, AliceSession, new WatchRegistration("/a", WatchKind.Persistent), EventPosition.After(2)));

        var ack = Assert.IsType<WatchAck>(Assert.Single(core.Outbox.ToClients).Message);
        Assert.Equal((5L, true), (ack.Slot, ack.Compacted));
        Assert.Equal(1, core.WatchCountOf(AliceSession));
    }

    [Fact]
    public void The_drop_replayed_event_fault_loses_exactly_the_first_replayed_event()
    {
        var core = AttachedCore(GatewaySettings.Default, new DropReplayedEvent());
        core.OnApplied(new CommandApplied(2, [new NodeDataChanged("/a", 2)]));
        core.OnApplied(new CommandApplied(3, [new NodeDataChanged("/a", 3)]));
        core.Outbox.Clear();

        core.OnAddWatch(Alice, new AddWatchRequest(7, AliceSession, new WatchRegistration("/a", WatchKind.Persistent), EventPosition.After(1)));
        core.OnAddWatch(Alice, new AddWatchRequest(8, AliceSession, new WatchRegistration("/a", WatchKind.Persistent), EventPosition.After(1)));

        Assert.Equal([3L, 2L, 3L], core.Outbox.ToClients.Select(sent => sent.Message).OfType<WatchNotification>().Select(n => n.Slot));
    }

    [Fact]
    public void The_client_gives_the_replay_to_the_consumer_that_asked_and_live_events_to_both_once()
    {
        var h = new SessionCoreHarness();
        h.Connect();
        var registration = new WatchRegistration("/a", WatchKind.Persistent);
        var live = new List<WatchEvent>();
        var first = new TaskCompletionSource();
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(new WatchSubscription(registration, live.Add), first)));
        h.Deliver(0, new WatchAck(h.Single<AddWatchRequest>().RequestId, 10, 0));
        h.Deliver(0, new WatchNotification(h.Core.SessionId, WatchEventType.NodeDataChanged, "/a", 11, 0));

        var fromSeven = new List<WatchEvent>();
        var second = new TaskCompletionSource();
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(new WatchSubscription(registration, fromSeven.Add, null, EventPosition.After(7)), second)));
        var add = h.Single<AddWatchRequest>();
        Assert.Equal(EventPosition.After(7), add.After);
        h.Deliver(0, new WatchAck(add.RequestId, 11, 0));
        foreach (var slot in new long[] { 8, 11, 12 })
        {
            h.Deliver(0, new WatchNotification(h.Core.SessionId, WatchEventType.NodeDataChanged, "/a", slot, 0));
        }

        Assert.True(second.Task.IsCompletedSuccessfully);
        Assert.Equal([11L, 12L], live.Select(e => e.Slot));
        Assert.Equal([8L, 11L, 12L], fromSeven.Select(e => e.Slot));
    }

    [Fact]
    public void A_compacted_answer_gives_the_consumer_a_compacted_event_first()
    {
        var h = new SessionCoreHarness();
        h.Connect();
        var events = new List<WatchEvent>();
        var subscribed = new TaskCompletionSource();
        var subscription = new WatchSubscription(new WatchRegistration("/a", WatchKind.PersistentRecursive), events.Add, null, EventPosition.After(3));
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(subscription, subscribed)));
        h.Deliver(0, new WatchAck(h.Single<AddWatchRequest>().RequestId, 20, 1, Compacted: true));
        h.Deliver(0, new WatchNotification(h.Core.SessionId, WatchEventType.NodeCreated, "/a/b", 21, 0));

        Assert.True(subscribed.Task.IsCompletedSuccessfully);
        Assert.Equal(new EventPosition(20, 1), subscription.RegisteredAt);
        Assert.Equal([(WatchEventType.Compacted, "/a", 20L), (WatchEventType.NodeCreated, "/a/b", 21L)], events.Select(e => (e.Type, e.Path, e.Slot)));
    }

    [Fact]
    public void A_consumer_from_a_slot_ahead_of_the_replica_skips_the_changes_up_to_it()
    {
        var h = new SessionCoreHarness();
        h.Connect();
        var events = new List<WatchEvent>();
        var subscription = new WatchSubscription(new WatchRegistration("/a", WatchKind.Persistent), events.Add, null, EventPosition.After(15));
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(subscription, new TaskCompletionSource())));
        h.Deliver(0, new WatchAck(h.Single<AddWatchRequest>().RequestId, 12, 0));
        foreach (var slot in new long[] { 13, 15, 16 })
        {
            h.Deliver(0, new WatchNotification(h.Core.SessionId, WatchEventType.NodeDataChanged, "/a", slot, 0));
        }

        Assert.Equal([16L], events.Select(e => e.Slot));
    }

    private static GatewayCore<string> AttachedCore(GatewaySettings settings, DropReplayedEvent? drop = null)
    {
        var core = new GatewayCore<string>(settings) { DropReplayedEvent = drop };
        core.OnApplied(new CommandApplied(1, []));
        var attach = new AttachRequest(1, AliceSession, AliceSecret, 1, [], []);
        Assert.True(core.AdmitAttach(Alice, attach));
        core.OnAttachInspected(Alice, attach, new AttachOutcome(new SessionInfo(AliceSession, 10_000, AliceSecret, 0, 0, 1, [], []), [], []), 2, 1_000);
        core.Outbox.Clear();
        return core;
    }
}
