namespace Coordinator.Faults.Faults;

/// <summary>
/// The faults of a run, drawn from its seed alone: the same seed, replica set, duration and kinds give the same
/// schedule. Faults come one after another with a quiet gap between them, so a majority is usually reachable
/// and the workloads make progress between faults.
/// </summary>
/// <remarks>
/// A wipe, when enabled, comes once, at the first fault slot after a seeded moment in the middle of the run (a third
/// to a half of it), so the first part plays every other fault on the full cluster. The wiped replica stays down, so
/// from then on no fault may take down or cut off a further replica unless a majority of all replicas stays up and
/// connected: in a 3-replica cluster only cutting a replica from its clients remains.
/// </remarks>
public static class FaultSchedule
{
    public static IReadOnlyList<Fault> Generate(int seed, IReadOnlyList<int> replicas, TimeSpan duration, FaultKind kinds)
    {
        var random = new Random(seed);
        var choices = Enum.GetValues<FaultKind>()
            .Where(kind => kind is not (FaultKind.None or FaultKind.All or FaultKind.Wipe) && kinds.HasFlag(kind)).ToArray();
        var faults = new List<Fault>();
        TimeSpan? wipeAt = kinds.HasFlag(FaultKind.Wipe) ? duration * (1.0 / 3 + random.NextDouble() / 6) : null;
        int? wiped = null;
        var at = Seconds(random, 1, 2);
        while (true)
        {
            if (wipeAt is { } due && wiped is null && at >= due)
            {
                var lasting = Seconds(random, 2, 4);
                if (at + lasting > duration)
                {
                    return faults;
                }
                wiped = replicas[random.Next(replicas.Count)];
                faults.Add(new Fault(at, FaultKind.Wipe, [wiped.Value], lasting) { Method = seed % 2 == 0 ? WipeMethod.Delete : WipeMethod.Truncate });
                at += lasting + Seconds(random, 0.5, 2);
                continue;
            }
            IReadOnlyList<int> live = wiped is { } gone ? [.. replicas.Where(replica => replica != gone)] : replicas;
            // After a wipe a fault may take down or cut off only as many replicas as the majority can still spare.
            var spare = (replicas.Count - 1) / 2 - (replicas.Count - live.Count);
            var feasible = choices.Where(kind => kind == FaultKind.IsolateFromClients || spare >= 1).ToArray();
            if (feasible.Length == 0)
            {
                if (wipeAt is null || wiped is not null)
                {
                    return faults;
                }
                at = wipeAt.Value;
                continue;
            }
            var kind = feasible[random.Next(feasible.Length)];
            var duringFault = kind switch
            {
                FaultKind.Pause => Seconds(random, 0.5, 3),
                FaultKind.Kill => Seconds(random, 0.5, 3),
                _ => Seconds(random, 1, 4),
            };
            if (at + duringFault > duration)
            {
                return faults;
            }
            faults.Add(new Fault(at, kind, Targets(random, live, kind, spare), duringFault));
            at += duringFault + Seconds(random, 0.5, 2);
        }
    }

    private static IReadOnlyList<int> Targets(Random random, IReadOnlyList<int> replicas, FaultKind kind, int spare)
    {
        if (kind != FaultKind.PartitionReplicas)
        {
            return [replicas[random.Next(replicas.Count)]];
        }
        var minority = 1 + random.Next(spare);
        return [.. replicas.OrderBy(_ => random.Next()).Take(minority).Order()];
    }

    private static TimeSpan Seconds(Random random, double min, double max) =>
        TimeSpan.FromMilliseconds(Math.Round((min + random.NextDouble() * (max - min)) * 1000));
}
