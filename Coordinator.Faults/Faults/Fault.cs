namespace Coordinator.Faults.Faults;

/// <summary>
/// One scheduled fault: at <see cref="At"/> after the workload starts it begins, after <see cref="Duration"/> it is
/// undone (the replica restarted or resumed, the cut healed). <see cref="Replicas"/> are its targets: the killed or
/// paused replica, the minority side of a partition, the replica isolated from clients.
/// </summary>
public sealed record Fault(TimeSpan At, FaultKind Kind, IReadOnlyList<int> Replicas, TimeSpan Duration)
{
    /// <summary>For a <see cref="FaultKind.Wipe"/>: how the journal is lost.</summary>
    public WipeMethod Method { get; init; }

    public override string ToString() => Kind == FaultKind.Wipe
        ? $"t={At.TotalSeconds:0.0}s {Describe()}, then {Duration.TotalSeconds:0.0}s without faults"
        : $"t={At.TotalSeconds:0.0}s {Describe()} for {Duration.TotalSeconds:0.0}s";

    private string Describe() => Kind switch
    {
        FaultKind.Kill => $"SIGKILL replica {Replicas[0]}, restart",
        FaultKind.Pause => $"SIGSTOP replica {Replicas[0]}",
        FaultKind.PartitionReplicas => $"partition replicas [{string.Join(",", Replicas)}] from the rest",
        FaultKind.IsolateFromClients => $"cut replica {Replicas[0]} from clients",
        FaultKind.Wipe => $"SIGKILL replica {Replicas[0]}, {(Method == WipeMethod.Delete ? "delete" : "truncate")} its journal, it must refuse to start and stays down",
        _ => Kind.ToString(),
    };
}
