using Coordinator.Core.Protocol;

namespace Coordinator.Service.Runtime;

/// <summary>A snapshot already written whole: complete at the first slice.</summary>
internal sealed class WholeSnapshot(byte[] snapshot) : ISnapshotCapture
{
    public PendingBytes Result { get; } = new(snapshot, []);

    public bool Advance(int nodes) => true;
}
