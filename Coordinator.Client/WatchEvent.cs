namespace Coordinator.Client;

/// <summary>
/// A change of a watched node, as of <paramref name="Slot"/>; a read after it sees at least that slot.
/// <paramref name="Index"/> is its place among the slot's changes: two changes in one slot are two events.
/// </summary>
public sealed record WatchEvent(WatchEventType Type, string Path, long Slot, int Index = 0);
