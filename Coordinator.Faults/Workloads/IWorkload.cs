using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// A workload of a fault run. Set-up runs on a healthy cluster and is not recorded; the run phase records every
/// operation until stopped; the final phase runs after the faults are healed and every replica was restarted; the
/// check judges the workload's own operations of the run's history.
/// </summary>
internal interface IWorkload
{
    string Name { get; }

    Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken);

    Task RunAsync(WorkloadContext context, CancellationToken stop);

    Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken);

    /// <summary>True for the operations this workload recorded (the functions it uses).</summary>
    bool Owns(Operation operation);

    Verdict Check(IReadOnlyList<Operation> history);
}
