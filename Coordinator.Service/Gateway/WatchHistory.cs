using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Service.Gateway;

/// <summary>One node change as a watch sees it, at its position in the log.</summary>
internal sealed record HistoricalChange(EventPosition Position, WatchEventType Type, string Path);

/// <summary>
/// The latest node changes this replica applied, bounded in count and bytes, so a watch that moves here from another
/// replica is sent what it missed (etcd's watch from a revision, on a tree). It is complete after
/// <see cref="CompleteAfter"/>: every change at a later position is here. Before the first slot this gateway saw, and
/// after a snapshot install (the state jumped without changes), it knows nothing earlier.
/// </summary>
internal sealed class WatchHistory(int maxChanges, long maxBytes)
{
    private const long BytesPerChange = 64;
    private readonly LinkedList<HistoricalChange> _changes = [];
    private long _bytes;

    /// <summary>Null until the first slot is seen: nothing is known to be complete.</summary>
    public EventPosition? CompleteAfter { get; private set; }

    public int Count => _changes.Count;

    public bool Covers(EventPosition seenThrough) => CompleteAfter is { } complete && seenThrough >= complete;

    /// <summary>The first slot this gateway saw applied: nothing before it is known.</summary>
    public void StartAt(long slot) => CompleteAfter ??= EventPosition.Before(slot);

    public void Add(HistoricalChange change)
    {
        _changes.AddLast(change);
        _bytes += SizeOf(change);
        while (_changes.Count > maxChanges || _bytes > maxBytes)
        {
            var oldest = _changes.First!.Value;
            _changes.RemoveFirst();
            _bytes -= SizeOf(oldest);
            CompleteAfter = oldest.Position;
        }
    }

    /// <summary>The state was replaced by a snapshot taken before <paramref name="appliedBelow"/>: what came before is unknown.</summary>
    public void Restart(long appliedBelow)
    {
        _changes.Clear();
        _bytes = 0;
        CompleteAfter = EventPosition.Before(appliedBelow);
    }

    /// <summary>The changes after <paramref name="position"/>, oldest first; only meaningful when it is covered.</summary>
    public IEnumerable<HistoricalChange> After(EventPosition position)
    {
        // Resumes are rare and near the end: walk back from the newest change.
        var node = _changes.Last;
        while (node is not null && node.Value.Position > position)
        {
            node = node.Previous;
        }
        for (node = node is null ? _changes.First : node.Next; node is not null; node = node.Next)
        {
            yield return node.Value;
        }
    }

    private static long SizeOf(HistoricalChange change) => BytesPerChange + 2L * change.Path.Length;
}
