using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

[Trait("Category", "Unit")]
public sealed class WatchTableTests
{
    private readonly WatchTable _table = new();
    private readonly List<string> _delivered = [];
    private int _nextIndex;

    [Fact]
    public void One_shot_watches_fire_once_by_zookeeper_rules()
    {
        Add("/a", WatchKind.Data, "data");
        Add("/a", WatchKind.Children, "children");

        Fire(WatchEventType.NodeChildrenChanged, "/a");
        Assert.Equal(["children"], _delivered);
        Fire(WatchEventType.NodeDataChanged, "/a");
        Fire(WatchEventType.NodeDataChanged, "/a");
        Assert.Equal(["children", "data"], _delivered);
        Assert.Empty(_table.Registrations);
    }

    [Fact]
    public void A_deleted_node_fires_both_data_and_children_watches()
    {
        Add("/a", WatchKind.Data, "data");
        Add("/a", WatchKind.Children, "children");
        Fire(WatchEventType.NodeDeleted, "/a");
        Assert.Equal(["data", "children"], _delivered);
    }

    [Fact]
    public void A_recursive_watch_sees_its_subtree_only_and_stays()
    {
        Add("/a", WatchKind.PersistentRecursive, "tree");
        Fire(WatchEventType.NodeCreated, "/a/b/c");
        Fire(WatchEventType.NodeDataChanged, "/a");
        Fire(WatchEventType.NodeCreated, "/ab");
        Fire(WatchEventType.NodeChildrenChanged, "/a");
        Assert.Equal(["tree", "tree"], _delivered);
        Assert.Single(_table.Registrations);
    }

    [Fact]
    public void The_replica_is_told_only_for_the_first_and_last_consumer_of_a_registration()
    {
        var registration = new WatchRegistration("/a", WatchKind.Persistent);
        var first = new WatchSubscription(registration, _ => { });
        var second = new WatchSubscription(registration, _ => { });
        Assert.True(_table.Add(first, default));
        Assert.False(_table.Add(second, default));
        Assert.False(_table.Remove(first));
        Assert.True(_table.Remove(second));
        Assert.False(_table.Remove(second));
    }

    private void Add(string path, WatchKind kind, string name) =>
        _table.Add(new WatchSubscription(new WatchRegistration(path, kind), _ => _delivered.Add(name)), default);

    private void Fire(WatchEventType type, string path)
    {
        var e = new WatchEvent(type, path, 1, _nextIndex++);
        foreach (var subscription in _table.Fire(e))
        {
            subscription.Deliver(e);
        }
    }
}
