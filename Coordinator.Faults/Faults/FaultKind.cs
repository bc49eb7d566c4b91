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

    /// <summary>
    /// SIGKILL a replica, delete or empty its journal but keep its identity file, start it: it must refuse to start,
    /// and it stays down for the rest of the run. At most one per run; not in <see cref="All"/> (see FaultSchedule).
    /// </summary>
    Wipe = 16,

    /// <summary>The default mix: every fault a replica recovers from.</summary>
    All = Kill | Pause | PartitionReplicas | IsolateFromClients,
}
