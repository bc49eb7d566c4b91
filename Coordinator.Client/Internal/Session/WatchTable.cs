using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The watches this client holds, as the replica holds them for its session: what to re-register after a
/// failover, and which consumers an event reaches (ZooKeeper's rules: a data watch sees its node created, changed
/// or deleted; a children watch sees its children change or the node deleted; one-shot watches are then gone; a
/// recursive watch sees every change at or below its path except children lists). Each registration remembers the
/// position of the last event it saw (or of its registration): after a failover it resumes from there, and an event
/// at or before it (a replay it already had, or a change from before it was registered) is not delivered to it.
/// </summary>
internal sealed class WatchTable
{
    private readonly Dictionary<WatchRegistration, Registered> _byRegistration = [];

    public IReadOnlyList<ResumedWatch> Registrations =>
        [.. _byRegistration.Select(entry => new ResumedWatch(entry.Key, entry.Value.SeenThrough))];

    public IReadOnlyList<WatchSubscription> Subscriptions => [.. _byRegistration.Values.SelectMany(registered => registered.Subscriptions)];

    public bool Contains(WatchRegistration registration) => _byRegistration.ContainsKey(registration);

    /// <summary>Adds a consumer; true when it is the registration's first (the replica registered it at <paramref name="registeredAt"/>).</summary>
    /// <param name="registeredAt">Where the replica registered it; an existing registration keeps its own.</param>
    public bool Add(WatchSubscription subscription, EventPosition registeredAt)
    {
        if (_byRegistration.TryGetValue(subscription.Registration, out var registered))
        {
            registered.Subscriptions.Add(subscription);
            return false;
        }
        _byRegistration[subscription.Registration] = new Registered([subscription]) { SeenThrough = registeredAt };
        return true;
    }

    /// <summary>True when the replica must be told (the last consumer of this registration left).</summary>
    public bool Remove(WatchSubscription subscription)
    {
        if (!_byRegistration.TryGetValue(subscription.Registration, out var registered) || !registered.Subscriptions.Remove(subscription))
        {
            return false;
        }
        if (registered.Subscriptions.Count > 0)
        {
            return false;
        }
        _byRegistration.Remove(subscription.Registration);
        return true;
    }

    /// <summary>
    /// The consumers the event reaches, in registration order, each registration at most once per position; fired
    /// one-shot watches are removed. A Compacted event reaches only the persistent watch on its path.
    /// </summary>
    public IReadOnlyList<WatchSubscription> Fire(WatchEvent e)
    {
        var position = new EventPosition(e.Slot, e.Index);
        var reached = new List<WatchSubscription>();
        foreach (var (registration, registered) in _byRegistration.ToList())
        {
            if (position <= registered.SeenThrough || !Matches(registration, e))
            {
                continue;
            }
            registered.SeenThrough = position;
            reached.AddRange(registered.Subscriptions);
            if (registration.Kind is WatchKind.Data or WatchKind.Children)
            {
                _byRegistration.Remove(registration);
            }
        }
        return reached;
    }

    private static bool Matches(WatchRegistration registration, WatchEvent e) => e.Type == WatchEventType.Compacted
        ? registration.Path == e.Path && registration.Kind is WatchKind.Persistent or WatchKind.PersistentRecursive
        : registration.Kind switch
        {
            WatchKind.Data => e.Path == registration.Path && e.Type is not WatchEventType.NodeChildrenChanged,
            WatchKind.Children => e.Path == registration.Path && e.Type is WatchEventType.NodeChildrenChanged or WatchEventType.NodeDeleted,
            WatchKind.Persistent => e.Path == registration.Path,
            WatchKind.PersistentRecursive => e.Type is not WatchEventType.NodeChildrenChanged && IsAtOrBelow(e.Path, registration.Path),
            _ => false,
        };

    private static bool IsAtOrBelow(string path, string root) =>
        path == root || root == "/" || (path.StartsWith(root, StringComparison.Ordinal) && path.Length > root.Length && path[root.Length] == '/');

    private sealed class Registered(List<WatchSubscription> subscriptions)
    {
        public List<WatchSubscription> Subscriptions { get; } = subscriptions;

        public EventPosition SeenThrough { get; set; }
    }
}
