namespace Coordinator.Service.Runtime;

/// <summary>
/// The local state machine was replaced by a snapshot holding every slot below <paramref name="AppliedBelow"/>: the
/// gateway's watch history knows nothing of the changes in between.
/// </summary>
internal sealed record StateInstalled(long AppliedBelow);
