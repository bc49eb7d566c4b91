using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;

namespace Coordinator.Tests.Simulation;

/// <summary>What a workload may use of the running simulation: its clock, randomness, scheduler and replicas.</summary>
internal interface ISimHost
{
    long Now { get; }

    bool Healed { get; }

    SimRandom Random { get; }

    IReadOnlyList<SimReplica> Replicas { get; }

    void After(long delay, Action action);

    /// <summary>Records a violation; the run stops and reports it with its seed.</summary>
    void Fail(string violation);

    /// <summary>
    /// Proposes a system command (session 0) at a replica that believes it leads, as the leader's own session
    /// tracker and ticker would. Not retried: a lost one is simply proposed again by the next round of duties.
    /// </summary>
    void ProposeAsSystem(Transaction transaction);
}
