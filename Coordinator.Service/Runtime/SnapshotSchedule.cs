namespace Coordinator.Service.Runtime;

/// <summary>
/// When a replica takes a snapshot: once <c>snapshot-interval</c> slots or <c>snapshot-bytes</c> of payload were
/// applied since its last one. Until its first snapshot in this process, the replica at <paramref name="position"/> of
/// <paramref name="replicas"/> waits that fraction of a period longer: replicas apply the same slots, so they would
/// otherwise all snapshot at once, and storing a big snapshot holds the journal's write lock for seconds (SQLite has
/// one writer), which stalls every write whose quorum needs them. Their snapshots then stay that far apart.
/// A peer's state installed over the replica's own is due at once: until it is saved, the replica's journal and
/// snapshot hold only what came before it, so a restart would need the whole transfer again from a peer, and could not
/// serve at all without one.
/// </summary>
internal sealed class SnapshotSchedule(long interval, long bytes, int position, int replicas)
{
    private long _extraSlots = interval * position / replicas;
    private long _extraBytes = bytes * position / replicas;

    private bool _peerStateInstalled;

    public bool IsDue(long slotsSince, long bytesSince) =>
        _peerStateInstalled || slotsSince >= interval + _extraSlots || bytesSince >= bytes + _extraBytes;

    public void PeerStateInstalled() => _peerStateInstalled = true;

    public void Taken() => (_extraSlots, _extraBytes, _peerStateInstalled) = (0, 0, false);
}
