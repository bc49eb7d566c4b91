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

    /// <summary>Each session's watches: what it is counted against its limit for, and what goes when it goes.</summary>
    private readonly Dictionary<long, HashSet<WatchRegistration>> _bySession = [];

    public int Count { get; private set; }

    public int CountOf(long sessionId) => _bySession.TryGetValue(sessionId, out var watches) ? watches.Count : 0;

    public bool Has(long sessionId, WatchRegistration watch) => _bySession.TryGetValue(sessionId, out var watches) && watches.Contains(watch);

    public void Add(long sessionId, WatchRegistration watch)
    {
        if (!_bySession.TryGetValue(sessionId, out var watches))
        {
            _bySession[sessionId] = watches = [];
        }
        if (!watches.Add(watch))
        {
            return;
        }
        Count++;
        var paths = _byKind[watch.Kind];
        if (!paths.TryGetValue(watch.Path, out var sessions))
        {
            paths[watch.Path] = sessions = [];
        }
        sessions.Add(sessionId);
    }

    public void Remove(long sessionId, WatchRegistration watch)
    {
        if (!_bySession.TryGetValue(sessionId, out var watches) || !watches.Remove(watch))
        {
            return;
        }
        Count--;
        if (watches.Count == 0)
        {
            _bySession.Remove(sessionId);
        }
        var paths = _byKind[watch.Kind];
        if (paths.TryGetValue(watch.Path, out var sessions) && sessions.Remove(sessionId) && sessions.Count == 0)
        {
            paths.Remove(watch.Path);
        }
    }

    public void RemoveSession(long sessionId)
    {
        if (!_bySession.Remove(sessionId, out var watches))
        {
            return;
        }
        Count -= watches.Count;
        foreach (var watch in watches)
        {
            var paths = _byKind[watch.Kind];
            if (paths.TryGetValue(watch.Path, out var sessions) && sessions.Remove(sessionId) && sessions.Count == 0)
            {
                paths.Remove(watch.Path);
            }
        }
    }

    /// <summary>A node change as watches see it: its type and path; null for lock and session events.</summary>
    public static (WatchEventType Type, string Path)? NodeChange(StateMachineEvent change) => change switch
    {
        NodeCreated created => (WatchEventType.NodeCreated, created.Path),
        NodeDeleted deleted => (WatchEventType.NodeDeleted, deleted.Path),
        NodeDataChanged changed => (WatchEventType.NodeDataChanged, changed.Path),
        NodeChildrenChanged children => (WatchEventType.NodeChildrenChanged, children.Path),
        _ => null,
    };

    /// <summary>Whether <paramref name="watch"/> sees a change of this type at this path (the rules of <see cref="Trigger"/>).</summary>
    public static bool Matches(WatchRegistration watch, WatchEventType type, string path) => watch.Kind switch
    {
        WatchKind.Data => path == watch.Path && type != WatchEventType.NodeChildrenChanged,
        WatchKind.Children => path == watch.Path && type is WatchEventType.NodeChildrenChanged or WatchEventType.NodeDeleted,
        WatchKind.Persistent => path == watch.Path,
        WatchKind.PersistentRecursive => type != WatchEventType.NodeChildrenChanged && SelfAndAncestors(path).Contains(watch.Path),
        _ => false,
    };

    /// <summary>The notifications one node change triggers, one per session, with fired one-shot watches removed.</summary>
    public IEnumerable<WatchNotification> Trigger(HistoricalChange change)
    {
        var (type, path) = (change.Type, change.Path);
        var notified = new List<WatchNotification>();
        void Notify(IEnumerable<long> sessions)
        {
            notified.AddRange(sessions.Select(session => new WatchNotification(session, type, path, change.Position.Slot, change.Position.Index)));
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
        if (!_byKind[kind].Remove(path, out var sessions))
        {
            return [];
        }
        var fired = new WatchRegistration(path, kind);
        foreach (var session in sessions)
        {
            var watches = _bySession[session];
            watches.Remove(fired);
            Count--;
            if (watches.Count == 0)
            {
                _bySession.Remove(session);
            }
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
