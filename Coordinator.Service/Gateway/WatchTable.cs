using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Gateway;

/// <summary>
/// The watches registered at one gateway (ZooKeeper's WatchManager): local to the replica, never replicated.
/// One-shot watches are removed when they fire; persistent ones stay until removed or their session leaves.
/// Persistent-recursive watches see every node event below their path except child-list changes, as in ZooKeeper.
/// </summary>
internal sealed class WatchTable
{
    private readonly Dictionary<WatchKind, Dictionary<string, HashSet<long>>> _byKind = new()
    {
        [WatchKind.Data] = new(StringComparer.Ordinal),
        [WatchKind.Children] = new(StringComparer.Ordinal),
        [WatchKind.Persistent] = new(StringComparer.Ordinal),
        [WatchKind.PersistentRecursive] = new(StringComparer.Ordinal),
    };

    public int Count => _byKind.Values.Sum(paths => paths.Values.Sum(sessions => sessions.Count));

    public void Add(long sessionId, WatchRegistration watch)
    {
        var paths = _byKind[watch.Kind];
        if (!paths.TryGetValue(watch.Path, out var sessions))
        {
            paths[watch.Path] = sessions = [];
        }
        sessions.Add(sessionId);
    }

    public void Remove(long sessionId, WatchRegistration watch)
    {
        var paths = _byKind[watch.Kind];
        if (paths.TryGetValue(watch.Path, out var sessions) && sessions.Remove(sessionId) && sessions.Count == 0)
        {
            paths.Remove(watch.Path);
        }
    }

    public void RemoveSession(long sessionId)
    {
        foreach (var paths in _byKind.Values)
        {
            foreach (var (path, sessions) in paths.ToList())
            {
                if (sessions.Remove(sessionId) && sessions.Count == 0)
                {
                    paths.Remove(path);
                }
            }
        }
    }

    /// <summary>The notifications one state machine event triggers, with fired one-shot watches removed.</summary>
    public IEnumerable<WatchNotification> Trigger(StateMachineEvent change)
    {
        var (type, path) = change switch
        {
            NodeCreated created => (WatchEventType.NodeCreated, created.Path),
            NodeDeleted deleted => (WatchEventType.NodeDeleted, deleted.Path),
            NodeDataChanged changed => (WatchEventType.NodeDataChanged, changed.Path),
            NodeChildrenChanged children => (WatchEventType.NodeChildrenChanged, children.Path),
            _ => (default(WatchEventType), null as string),
        };
        if (path is null)
        {
            return [];
        }
        var notified = new List<WatchNotification>();
        void Notify(IEnumerable<long> sessions)
        {
            notified.AddRange(sessions.Select(session => new WatchNotification(session, type, path, change.Slot)));
        }

        if (type != WatchEventType.NodeChildrenChanged)
        {
            Notify(TakeOneShot(WatchKind.Data, path));
        }
        if (type is WatchEventType.NodeChildrenChanged or WatchEventType.NodeDeleted)
        {
            Notify(TakeOneShot(WatchKind.Children, path));
        }
        if (_byKind[WatchKind.Persistent].TryGetValue(path, out var persistent))
        {
            Notify(persistent);
        }
        if (type != WatchEventType.NodeChildrenChanged)
        {
            foreach (var ancestor in SelfAndAncestors(path))
            {
                if (_byKind[WatchKind.PersistentRecursive].TryGetValue(ancestor, out var recursive))
                {
                    Notify(recursive);
                }
            }
        }
        return notified.DistinctBy(notification => notification.SessionId).ToList();
    }

    private IEnumerable<long> TakeOneShot(WatchKind kind, string path)
    {
        var paths = _byKind[kind];
        if (!paths.Remove(path, out var sessions))
        {
            return [];
        }
        return sessions;
    }

    private static IEnumerable<string> SelfAndAncestors(string path)
    {
        yield return path;
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            yield return path[..slash];
        }
        if (path != "/")
        {
            yield return "/";
        }
    }
}
