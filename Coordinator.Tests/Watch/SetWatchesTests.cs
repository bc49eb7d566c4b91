using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;
using Coordinator.Tests.ClientLibrary;

namespace Coordinator.Tests.Watch;

/// <summary>
/// One-shot watches resumed at a replica whose history does not reach back to them (it restarted, or installed a
/// snapshot) fall back to ZooKeeper's setWatches rule from the node's Stat (issue 18): a watch set on a node that is
/// now gone fires NodeDeleted (before, it never fired); an exists-watch waiting for a create stays; a changed node
/// fires with the slot of its change, where no recursive stream of the session takes it for a new event.
/// </summary>
[Trait("Category", "Watch")]
public sealed class SetWatchesTests
{
    private const string Alice = "alice";
    private const long AliceSession = 11;
    private const long AliceSecret = 4711;

    [Fact]
    public void A_watch_on_a_node_that_existed_fires_node_deleted_and_an_exists_watch_on_a_missing_node_stays()
    {
        var core = CoreAfterSnapshotInstall(out var installedBelow);
        var attach = Attach(
            new ResumedWatch(new WatchRegistration("/gone", WatchKind.Data), EventPosition.After(3), NodeExisted: true),
            new ResumedWatch(new WatchRegistration("/awaited", WatchKind.Data), EventPosition.After(3)),
            new ResumedWatch(new WatchRegistration("/parent", WatchKind.Children), EventPosition.After(3)));
        core.OnAttachInspected(Alice, attach, Inspected(Missing, Missing, Missing), installedBelow, 1_000);

        var fired = core.Outbox.ToClients.Select(sent => sent.Message).OfType<WatchNotification>().ToList();
        Assert.Equal(
            [(WatchEventType.NodeDeleted, "/gone", EventPosition.Before(installedBelow)), (WatchEventType.NodeDeleted, "/parent", EventPosition.Before(installedBelow))],
            fired.Select(n => (n.Type, n.Path, n.Position)));
        Assert.Equal(1, core.WatchCountOf(AliceSession));
    }

    [Fact]
    public void A_changed_node_fires_at_its_change_slot_after_the_compacted_event_of_a_recursive_watch()
    {
        var core = CoreAfterSnapshotInstall(out var installedBelow);
        var changed = new NodeRead(ErrorCode.Ok, new Stat(2, 7, 0, 0, 3, 0, 0, 1, 0, 2), new byte[1]);
        var attach = Attach(
            new ResumedWatch(new WatchRegistration("/app/x", WatchKind.Data), EventPosition.After(3), NodeExisted: true),
            new ResumedWatch(new WatchRegistration("/app", WatchKind.PersistentRecursive), new EventPosition(3, 0)));
        core.OnAttachInspected(Alice, attach, Inspected(changed, default), installedBelow, 1_000);

        var fired = core.Outbox.ToClients.Select(sent => sent.Message).OfType<WatchNotification>().ToList();
        Assert.Equal(
            [(WatchEventType.Compacted, "/app"), (WatchEventType.NodeDataChanged, "/app/x")],
            fired.Select(n => (n.Type, n.Path)));
        Assert.Equal(EventPosition.Before(7), fired[1].Position);

        // The client: the recursive stream takes the Compacted event and not the catch-up behind it.
        var h = new SessionCoreHarness();
        h.Connect();
        var oneShot = new List<WatchEvent>();
        var stream = new List<WatchEvent>();
        h.Run(h.Core.Subscribe(h.Now, new Subscribe(new WatchSubscription(new WatchRegistration("/app", WatchKind.PersistentRecursive), stream.Add), new TaskCompletionSource())));
        h.Deliver(0, new WatchAck(h.Single<AddWatchRequest>().RequestId, 3, 0));
        h.Read(ReadKind.GetData, "/app/x", oneShot.Add);
        h.Deliver(0, new ReadResponse(h.Single<ReadRequest>().RequestId, 3, ErrorCode.Ok, default, [1], []));
        foreach (var notification in fired)
        {
            h.Deliver(0, notification with { SessionId = h.Core.SessionId });
        }
        Assert.Equal([WatchEventType.Compacted], stream.Select(e => e.Type));
        Assert.Equal([(WatchEventType.NodeDataChanged, 7L)], oneShot.Select(e => (e.Type, e.Slot)));
    }

    [Fact]
    public void The_client_resumes_a_watch_set_by_a_read_that_found_its_node_as_one_whose_node_existed()
    {
        var h = new SessionCoreHarness(servers: 2);
        h.Connect(server: 0);
        h.Read(ReadKind.GetData, "/a", _ => { });
        h.Deliver(0, new ReadResponse(h.Single<ReadRequest>().RequestId, 5, ErrorCode.Ok, default, [1], []));
        h.Read(ReadKind.Exists, "/b", _ => { });
        h.Deliver(0, new ReadResponse(h.Single<ReadRequest>().RequestId, 5, ErrorCode.NoNode, default, [], []));

        h.Run(h.Core.ConnectionLost(h.Now, SessionCoreHarness.Address(0)));
        var attach = h.Single<AttachRequest>(server: 1);
        Assert.Equal(
            [("/a", true), ("/b", false)],
            attach.Watches.Select(resumed => (resumed.Watch.Path, resumed.NodeExisted)).OrderBy(watch => watch.Path));
    }

    private static readonly NodeRead Missing = new(ErrorCode.NoNode, default, ReadOnlyMemory<byte>.Empty);

    /// <summary>A gateway that applied slots 1-3 and then installed a snapshot up to slot 20: it knows no change before.</summary>
    private static GatewayCore<string> CoreAfterSnapshotInstall(out long installedBelow)
    {
        var core = new GatewayCore<string>(GatewaySettings.Default);
        for (var slot = 1; slot <= 3; slot++)
        {
            core.OnApplied(new CommandApplied(slot, [new NodeDataChanged("/other", slot)]));
        }
        installedBelow = 21;
        core.OnStateInstalled(installedBelow);
        core.Outbox.Clear();
        return core;
    }

    private static AttachRequest Attach(params ResumedWatch[] watches) => new(1, AliceSession, AliceSecret, 3, watches, []);

    private static AttachOutcome Inspected(params NodeRead[] nodes) =>
        new(new SessionInfo(AliceSession, 10_000, AliceSecret, 0, 0, 1, [], []), nodes, []);
}
