namespace Coordinator.Tests.Simulation;

/// <summary>
/// What a simulation run applies and who drives it: the replicas' state machine, the clients, and the checks
/// that only make sense for that state machine. The consensus checks stay in <see cref="Simulation"/>.
/// </summary>
internal abstract class SimWorkload
{
    /// <summary>Called once before any replica starts; draws the run's parameters from the host's randomness.</summary>
    public virtual void Start(ISimHost host)
    {
    }

    /// <summary>A fresh state machine, or one restored from a snapshot the same workload took.</summary>
    public abstract ISimStateMachine CreateMachine(byte[]? snapshot);

    public abstract IReadOnlyList<SimClient> CreateClients(SimulationOptions options);

    /// <summary>
    /// After <paramref name="replica"/> applied <paramref name="slot"/>; <paramref name="first"/> when no replica
    /// applied it before, so first applications arrive in slot order.
    /// </summary>
    public virtual void AfterSlot(SimReplica replica, long slot, bool first)
    {
    }

    /// <summary>Whether the run may finish without every replica applying this session's commands.</summary>
    public virtual bool IsAbandoned(long sessionId) => false;

    /// <summary>How often the run exercised what the workload is about, so a test can tell it was not vacuous.</summary>
    public virtual IReadOnlyDictionary<string, long> Counters { get; } = new Dictionary<string, long>();

    /// <summary>What still keeps the workload from being finished once the network healed; null when nothing.</summary>
    public virtual string? Unfinished() => null;
}
