namespace Coordinator.Service.Runtime;

/// <summary>
/// What a replica's storage holds of its own persistence id: the lowest and highest journal sequence numbers still
/// stored (0 when none) and the highest snapshot's (null when none). The journal and the snapshots may sit in two files
/// (SQLite), so each can be lost without the other.
/// </summary>
internal sealed record StoredHistory(long JournalLowest, long JournalHighest, long? SnapshotHighest)
{
    public static readonly StoredHistory None = new(0, 0, null);

    public bool IsEmpty => JournalHighest == 0 && SnapshotHighest is null;

    /// <summary>
    /// A snapshot newer than every journal event: the journal lost what it held, since compaction always keeps the
    /// event the snapshot was taken at. (A restored replica's seed snapshot is at 0, before any event.)
    /// </summary>
    public bool JournalBehindSnapshot => SnapshotHighest is { } snapshot && snapshot > JournalHighest;

    /// <summary>
    /// A journal that starts after event 1 with no snapshot reaching back to it: it was compacted, and the snapshot that
    /// replaced the events below is gone.
    /// </summary>
    public bool SnapshotMissingBelowJournal => JournalLowest > 1 && (SnapshotHighest ?? 0) < JournalLowest - 1;
}
