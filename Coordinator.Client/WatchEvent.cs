namespace Coordinator.Client;

/// <summary>A change of a watched node, as of <paramref name="Slot"/>; a read after it sees at least that slot.</summary>
public sealed record WatchEvent(WatchEventType Type, string Path, long Slot);
