using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The watches this client holds, as the replica holds them for its session: what to re-register after a
/// failover, and which consumers an event reaches (ZooKeeper's rules: a data watch sees its node created, changed
/// or deleted; a children watch sees its children change or the node deleted; one-shot watches are then gone; a
/// recursive watch sees every change at or below its path except children lists).
/// </summary>
internal sealed class WatchTable
{
    private readonly Dictionary<WatchRegistration, List<WatchSubscription>> _byRegistration = [];

    public IReadOnlyList<WatchRegistration> Registrations => [.. _byRegistration.Keys];

    public IReadOnlyList<WatchSubscription> Subscriptions => [.. _byRegistration.Values.SelectMany(list => list)];

    public bool Contains(WatchRegistration registration) => _byRegistration.ContainsKey(registration);

    /// <summary>True when the replica must be told (the first consumer of this registration).</summary>
    public bool Add(WatchSubscription subscription)
    {
        if (_byRegistration.TryGetValue(subscription.Registration, out var list))
        {
            list.Add(subscription);
            return false;
        }
        _byRegistration[subscription.Registration] = [subscription];
        return true;
    }

    /// <summary>True when the replica must be told (the last consumer of this registration left).</summary>
    public bool Remove(WatchSubscription subscription)
    {
        if (!_byRegistration.TryGetValue(subscription.Registration, out var list) || !list.Remove(subscription))
        {
            return false;
        }
        if (list.Count > 0)
        {
            return false;
        }
        _byRegistration.Remove(subscription.Registration);
        return true;
    }

    /// <summary>The consumers the event reaches, in registration order; fired one-shot watches are removed.</summary>
    public IReadOnlyList<WatchSubscription> Fire(WatchEvent e)
    {
        var reached = new List<WatchSubscription>();
        foreach (var (registration, list) in _byRegistration.ToList())
        {
            if (!Matches(registration, e))
            {
                continue;
            }
            reached.AddRange(list);
            if (registration.Kind is WatchKind.Data or WatchKind.Children)
            {
                _byRegistration.Remove(registration);
            }
        }
        return reached;
    }

    private static bool Matches(WatchRegistration registration, WatchEvent e) => registration.Kind switch
    {
        WatchKind.Data => e.Path == registration.Path && e.Type is not WatchEventType.NodeChildrenChanged,
        WatchKind.Children => e.Path == registration.Path && e.Type is WatchEventType.NodeChildrenChanged or WatchEventType.NodeDeleted,
        WatchKind.Persistent => e.Path == registration.Path,
        WatchKind.PersistentRecursive => e.Type is not WatchEventType.NodeChildrenChanged && IsAtOrBelow(e.Path, registration.Path),
        _ => false,
    };

    private static bool IsAtOrBelow(string path, string root) =>
        path == root || root == "/" || (path.StartsWith(root, StringComparison.Ordinal) && path.Length > root.Length && path[root.Length] == '/');
}
