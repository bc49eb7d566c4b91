namespace Coordinator.Service.Runtime;

/// <summary>
/// <c>--restore FILE</c>: seed this replica of a new cluster from a backup before it starts. The new cluster gets an id
/// of its own unless <paramref name="KeepClusterId"/> (<c>--keep-cluster-id</c>), e.g. to replace a lost cluster.
/// </summary>
internal sealed record RestoreFromBackup(string Path, bool KeepClusterId);
