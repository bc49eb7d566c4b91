namespace Coordinator.Client;

/// <summary>
/// Drops copies of a watch event: a replica may send one notification per matching watch rather than one per
/// event, and one change fires at most one event of a type on a path, so within a slot the first (type, path) is the
/// event and the rest are copies. Notifications arrive in slot order from the one attached replica.
/// </summary>
internal sealed class WatchEventFilter
{
    private readonly HashSet<(WatchEventType, string)> _seenAtSlot = [];
    private long _slot = -1;

    public bool IsNew(long slot, WatchEventType type, string path)
    {
        if (slot != _slot)
        {
            _slot = slot;
            _seenAtSlot.Clear();
        }
        return _seenAtSlot.Add((type, path));
    }
}
