namespace Coordinator.Core.Consensus;

/// <summary>
/// A snapshot arriving chunk by chunk from one peer. Chunks are taken only in order; a gap, a duplicate or a chunk of
/// another snapshot changes nothing, so a lost chunk is simply asked for again and the transfer resumes where it stopped.
/// </summary>
internal sealed class SnapshotAssembly
{
    private readonly byte[] _state;

    private SnapshotAssembly(SnapshotChunk first)
    {
        Source = first.From;
        AppliedBelow = first.AppliedBelow;
        LastTimestamp = first.LastTimestamp;
        Checksum = first.Checksum;
        _state = new byte[first.TotalBytes];
    }

    public int Source { get; }

    public long AppliedBelow { get; }

    public long LastTimestamp { get; }

    public long Checksum { get; }

    public long Received { get; private set; }

    public bool IsComplete => Received == _state.Length;

    /// <summary>Starts an assembly from a first chunk; null for any other chunk or impossible sizes.</summary>
    public static SnapshotAssembly? Start(SnapshotChunk chunk) =>
        chunk.Offset == 0 && chunk.TotalBytes >= 0 && chunk.TotalBytes <= Array.MaxLength ? new SnapshotAssembly(chunk).WithFirst(chunk) : null;

    public bool IsOf(SnapshotChunk chunk) =>
        chunk.From == Source && chunk.AppliedBelow == AppliedBelow && chunk.Checksum == Checksum && chunk.TotalBytes == _state.Length;

    /// <returns>Whether the chunk was the next one and was taken.</returns>
    public bool Take(SnapshotChunk chunk)
    {
        if (!IsOf(chunk) || chunk.Offset != Received || chunk.Data.Length > _state.Length - Received || (chunk.Data.Length == 0 && !IsComplete))
        {
            return false;
        }
        chunk.Data.CopyTo(_state, Received);
        Received += chunk.Data.Length;
        return true;
    }

    /// <summary>The assembled state, or null when its checksum says a piece is wrong.</summary>
    public byte[]? Verified() => IsComplete && SnapshotChecksum.Of(_state) == Checksum ? _state : null;

    private SnapshotAssembly? WithFirst(SnapshotChunk chunk)
    {
        if (_state.Length == 0)
        {
            return this;
        }
        return Take(chunk) ? this : null;
    }
}
