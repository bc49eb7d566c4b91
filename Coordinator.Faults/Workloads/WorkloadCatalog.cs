namespace Coordinator.Faults.Workloads;

/// <summary>The workloads by name, as the command line and <see cref="Harness.RunOptions"/> spell them.</summary>
internal static class WorkloadCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["registers", "locks", "sets", "ephemeral"];

    public static IWorkload Create(string name) => name switch
    {
        "registers" => new RegisterWorkload(),
        "locks" => new LockWorkload(),
        "sets" => new SetWorkload(),
        "ephemeral" => new EphemeralWorkload(),
        _ => throw new ArgumentException($"unknown workload '{name}' (expected {string.Join(", ", Names)})", nameof(name)),
    };
}
