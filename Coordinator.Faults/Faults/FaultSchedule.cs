namespace Coordinator.Faults.Faults;

/// <summary>
/// The faults of a run, drawn from its seed alone: the same seed, replica set, duration and kinds give the same
/// schedule. Faults come one after another with a quiet gap between them, so a majority is usually reachable
/// and the workloads make progress between faults.
/// </summary>
public static class FaultSchedule
{
    public static IReadOnlyList<Fault> Generate(int seed, IReadOnlyList<int> replicas, TimeSpan duration, FaultKind kinds)
    {
        var random = new Random(seed);
        var choices = Enum.GetValues<FaultKind>().Where(kind => kind is not (FaultKind.None or FaultKind.All) && kinds.HasFlag(kind)).ToArray();
        var faults = new List<Fault>();
        if (choices.Length == 0)
        {
            return faults;
        }
        var at = Seconds(random, 1, 2);
        while (true)
        {
            var kind = choices[random.Next(choices.Length)];
            var lasting = kind switch
            {
                FaultKind.Pause => Seconds(random, 0.5, 3),
                FaultKind.Kill => Seconds(random, 0.5, 3),
                _ => Seconds(random, 1, 4),
            };
            if (at + lasting > duration)
            {
                return faults;
            }
            faults.Add(new Fault(at, kind, Targets(random, replicas, kind), lasting));
            at += lasting + Seconds(random, 0.5, 2);
        }
    }

    private static IReadOnlyList<int> Targets(Random random, IReadOnlyList<int> replicas, FaultKind kind)
    {
        if (kind != FaultKind.PartitionReplicas)
        {
            return [replicas[random.Next(replicas.Count)]];
        }
        var minority = 1 + random.Next((replicas.Count - 1) / 2);
        return [.. replicas.OrderBy(_ => random.Next()).Take(minority).Order()];
    }

    private static TimeSpan Seconds(Random random, double min, double max) =>
        TimeSpan.FromMilliseconds(Math.Round((min + random.NextDouble() * (max - min)) * 1000));
}
