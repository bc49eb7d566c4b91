namespace Coordinator.Core.Protocol;

/// <summary>A snapshot written a slice at a time, while what it captures stays unchanged.</summary>
internal interface ISnapshotCapture
{
    /// <summary>Writes at most <paramref name="nodes"/> more of it; true once it is complete.</summary>
    bool Advance(int nodes);

    /// <summary>The bytes, with large parts still to be copied in (which may happen on another thread, and after changes).</summary>
    PendingBytes Result { get; }
}
