using System.Security.Cryptography;
using Coordinator.Core.Protocol;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>
/// The gateway's side of <c>coord snapshot save</c>: it keeps the snapshots it took for backups while they are fetched,
/// and cuts them into chunks well below Akka.Remote's frame limit. A snapshot is taken on the replica actor between two
/// slots (so it is exactly the state at its applied slot, and writes go on around it), kept while asked for, and
/// dropped after a quiet minute; at most two are kept, so two operators saving at once do not start each other over.
/// </summary>
internal sealed class BackupServer(string clusterId)
{
    public const int ChunkBytes = 1 << 20;
    private const int MaxKept = 2;
    private const long KeepForMs = 60_000;

    private readonly List<Kept> _kept = [];

    /// <summary>The read the replica runs to take a backup's snapshot.</summary>
    public static object Capture(IReplicatedStateMachine machine) =>
        machine is TreeStateMachine tree ? new Captured(tree.Snapshot(), tree.Tree.Now) : new Captured(machine.Snapshot(), 0);

    /// <summary>The chunk asked for, or null when a new snapshot must be taken first.</summary>
    public BackupChunkResponse? Answer(BackupChunkRequest request, long now)
    {
        if (request.AppliedBelow is not { } slot || _kept.Find(kept => kept.AppliedBelow == slot) is not { } found)
        {
            return null;
        }
        found.LastAskedAt = now;
        return Chunk(request, found, request.Offset);
    }

    /// <summary>Keeps a snapshot just taken and answers with its first chunk.</summary>
    public BackupChunkResponse Keep(BackupChunkRequest request, long appliedBelow, Captured captured, long now)
    {
        var kept = _kept.Find(existing => existing.AppliedBelow == appliedBelow);
        if (kept is null)
        {
            kept = new Kept(appliedBelow, captured.LastTimestamp, captured.State, SHA256.HashData(captured.State)) { LastAskedAt = now };
            _kept.Add(kept);
            if (_kept.Count > MaxKept)
            {
                _kept.Remove(_kept.MinBy(existing => existing.LastAskedAt)!);
            }
        }
        return Chunk(request, kept, 0);
    }

    public void Sweep(long now) => _kept.RemoveAll(kept => now - kept.LastAskedAt > KeepForMs);

    private BackupChunkResponse Chunk(BackupChunkRequest request, Kept kept, long offset)
    {
        var start = offset >= 0 && offset <= kept.State.Length ? offset : 0;
        var length = (int)Math.Min(ChunkBytes, kept.State.Length - start);
        return new BackupChunkResponse(request.RequestId, clusterId, kept.AppliedBelow, kept.LastTimestamp, kept.State.Length, kept.Sha256,
            start, kept.State.AsSpan((int)start, length).ToArray());
    }

    /// <summary>A snapshot of the state machine and the leader time of the last slot in it.</summary>
    internal sealed record Captured(byte[] State, long LastTimestamp);

    private sealed record Kept(long AppliedBelow, long LastTimestamp, byte[] State, byte[] Sha256)
    {
        public long LastAskedAt { get; set; }
    }
}
