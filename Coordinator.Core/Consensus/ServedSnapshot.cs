namespace Coordinator.Core.Consensus;

/// <summary>The snapshot a learner serves to peers that fell behind its log, cut into chunks on request.</summary>
internal sealed record ServedSnapshot(long AppliedBelow, long LastTimestamp, byte[] State, long Checksum)
{
    public static ServedSnapshot Of(long appliedBelow, long lastTimestamp, byte[] state) =>
        new(appliedBelow, lastTimestamp, state, SnapshotChecksum.Of(state));

    /// <summary>The chunk from <paramref name="offset"/> on (from the start when the offset is out of range).</summary>
    public SnapshotChunk ChunkAt(int from, long offset, int maxBytes)
    {
        var start = offset >= 0 && offset < State.Length ? offset : 0;
        var length = (int)Math.Min(maxBytes, State.Length - start);
        return new SnapshotChunk(from, AppliedBelow, LastTimestamp, State.Length, Checksum, start, State.AsSpan((int)start, length).ToArray());
    }
}
