namespace Coordinator.Faults.Workloads;

/// <summary>The workloads by name, as the command line and <see cref="Harness.RunOptions"/> spell them.</summary>
internal static class WorkloadCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["registers", "locks", "sets", "large-sets", "ephemeral", "watch"];

    /// <param name="largeValueBudget">The large-sets workload's byte budget.</param>
    public static IWorkload Create(string name, long largeValueBudget) => name switch
    {
        "registers" => new RegisterWorkload(),
        "locks" => new LockWorkload(),
        "sets" => SetWorkload.Small(),
        "large-sets" => SetWorkload.Large(largeValueBudget),
        "ephemeral" => new EphemeralWorkload(),
        "watch" => new WatchWorkload(),
        _ => throw new ArgumentException($"unknown workload '{name}' (expected {string.Join(", ", Names)})", nameof(name)),
    };
}
