using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The watches this client holds, as the replica holds them for its session: what to re-register after a
/// failover, and which consumers an event reaches (ZooKeeper's rules: a data watch sees its node created, changed
/// or deleted; a children watch sees its children change or the node deleted; one-shot watches are then gone; a
/// recursive watch sees every change at or below its path except children lists). Each consumer remembers the
/// position of the last event it saw (or of its registration): an event at or before it (a replay it already had,
/// a change from before it asked to watch) is not delivered to it. After a failover a registration resumes from the
/// oldest of its consumers' positions.
/// </summary>
internal sealed class WatchTable
{
    private readonly Dictionary<WatchRegistration, List<Consumer>> _byRegistration = [];

    public IReadOnlyList<ResumedWatch> Registrations =>
        [.. _byRegistration.Select(entry => new ResumedWatch(entry.Key, entry.Value.Min(consumer => consumer.SeenThrough), entry.Value.Any(consumer => consumer.NodeExisted)))];

    public IReadOnlyList<WatchSubscription> Subscriptions => [.. _byRegistration.Values.SelectMany(consumers => consumers.Select(consumer => consumer.Subscription))];

    public bool Contains(WatchRegistration registration) => _byRegistration.ContainsKey(registration);

    /// <summary>The newest position a consumer of this registration has seen: where a new consumer joins without a replay.</summary>
    public EventPosition Newest(WatchRegistration registration) => _byRegistration[registration].Max(consumer => consumer.SeenThrough);

    /// <summary>Adds a consumer that has every event after <paramref name="seenThrough"/>; true when it is the registration's first.</summary>
    /// <param name="nodeExisted">A one-shot watch set by a read that found its node (see <see cref="ResumedWatch.NodeExisted"/>).</param>
    public bool Add(WatchSubscription subscription, EventPosition seenThrough, bool nodeExisted = false)
    {
        subscription.RegisteredAt = seenThrough;
        var consumer = new Consumer(subscription) { SeenThrough = seenThrough, NodeExisted = nodeExisted };
        if (_byRegistration.TryGetValue(subscription.Registration, out var consumers))
        {
            consumers.Add(consumer);
            return false;
        }
        _byRegistration[subscription.Registration] = [consumer];
        return true;
    }

    /// <summary>True when the replica must be told (the last consumer of this registration left).</summary>
    public bool Remove(WatchSubscription subscription)
    {
        if (!_byRegistration.TryGetValue(subscription.Registration, out var consumers) || consumers.RemoveAll(consumer => consumer.Subscription == subscription) == 0)
        {
            return false;
        }
        if (consumers.Count > 0)
        {
            return false;
        }
        _byRegistration.Remove(subscription.Registration);
        return true;
    }

    /// <summary>
    /// The consumers the event reaches, in registration order, each at most once per position; fired one-shot
    /// watches are removed (all their consumers fire together, as the replica holds one watch for them). A Compacted
    /// event reaches only the persistent watch on its path.
    /// </summary>
    public IReadOnlyList<WatchSubscription> Fire(WatchEvent e)
    {
        var position = new EventPosition(e.Slot, e.Index);
        var reached = new List<WatchSubscription>();
        foreach (var (registration, consumers) in _byRegistration.ToList())
        {
            if (!Matches(registration, e))
            {
                continue;
            }
            if (registration.Kind is WatchKind.Data or WatchKind.Children)
            {
                if (position > consumers.Min(consumer => consumer.SeenThrough))
                {
                    reached.AddRange(consumers.Select(consumer => consumer.Subscription));
                    _byRegistration.Remove(registration);
                }
                continue;
            }
            foreach (var consumer in consumers.Where(consumer => position > consumer.SeenThrough))
            {
                consumer.SeenThrough = position;
                reached.Add(consumer.Subscription);
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

    private sealed class Consumer(WatchSubscription subscription)
    {
        public WatchSubscription Subscription { get; } = subscription;

        public EventPosition SeenThrough { get; set; }

        public bool NodeExisted { get; init; }
    }
}
