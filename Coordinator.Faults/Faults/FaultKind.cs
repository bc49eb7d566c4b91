namespace Coordinator.Faults.Faults;

/// <summary>The faults a schedule draws from.</summary>
[Flags]
public enum FaultKind
{
    None = 0,

    /// <summary>SIGKILL a replica, restart it after a while.</summary>
    Kill = 1,

    /// <summary>SIGSTOP a replica for 0.5–3 s, then SIGCONT.</summary>
    Pause = 2,

    /// <summary>Cut the links between a minority of replicas and the rest.</summary>
    PartitionReplicas = 4,

    /// <summary>Cut one replica off from every client (replicas still reach it).</summary>
    IsolateFromClients = 8,

    All = Kill | Pause | PartitionReplicas | IsolateFromClients,
}
