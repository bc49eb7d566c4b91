namespace Coordinator.Tests.Simulation;

internal sealed record SimulationResult(long Seed, int Replicas, string? Violation, string Trace, SimulationStats Stats)
{
    public bool Passed => Violation is null;

    public override string ToString() => Passed
        ? $"seed {Seed} ({Replicas} replicas): ok, {Stats}"
        : $"seed {Seed} ({Replicas} replicas) FAILED: {Violation}\n{Stats}\nlast events:\n{Trace}";
}

internal sealed record SimulationStats(
    long VirtualMs,
    long Events,
    long SlotsChosen,
    long CommandsSubmitted,
    int Crashes,
    int Partitions,
    int SnapshotsInstalled,
    int LeaderChanges,
    IReadOnlyDictionary<string, long>? Workload = null)
{
    public long Counter(string name) => Workload?.GetValueOrDefault(name) ?? 0;

    public override string ToString() =>
        $"{VirtualMs} virtual ms, {Events} events, {SlotsChosen} slots, {CommandsSubmitted} commands, " +
        $"{Crashes} crashes, {Partitions} partitions, {SnapshotsInstalled} snapshot installs, {LeaderChanges} leader changes" +
        (Workload is { Count: > 0 } counters ? $"; {string.Join(", ", counters.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key}"))}" : "");
}
