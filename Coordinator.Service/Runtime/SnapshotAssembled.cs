using Coordinator.Core.Consensus;

namespace Coordinator.Service.Runtime;

/// <summary>
/// A snapshot captured between two slots has been assembled, and its <see cref="SnapshotChecksum"/> summed, off the
/// replica's thread: it can be saved, unless a peer's snapshot was installed meanwhile (<paramref name="InstalledBefore"/>
/// is the install count at capture).
/// </summary>
internal sealed record SnapshotAssembled(SnapshotDelivered Snapshot, long Checksum, int InstalledBefore, TimeSpan CapturedIn, TimeSpan AssembledIn);
