using System.Diagnostics;
using Coordinator.Faults.Cluster;
using Coordinator.Faults.Network;

namespace Coordinator.Faults.Faults;

/// <summary>
/// Plays a schedule against the cluster on the wall clock, undoing each fault before the next begins (a wipe is not
/// undone: its replica stays down); <paramref name="began"/> hears of each fault as it starts,
/// <paramref name="wipeJudged"/> of how each wiped replica answered its restart.
/// </summary>
internal sealed class FaultInjector(ReplicaCluster cluster, Action<string> log, Action<Fault> began, Action<WipeResult> wipeJudged)
{
    private readonly List<WipeResult> _wipes = [];

    /// <summary>How each wipe's replica answered its restart.</summary>
    public IReadOnlyList<WipeResult> Wipes => _wipes;

    public async Task RunAsync(IReadOnlyList<Fault> schedule, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        foreach (var fault in schedule)
        {
            var wait = fault.At - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (stop.IsCancellationRequested)
            {
                return;
            }
            log($"  fault {fault}");
            began(fault);
            if (fault.Kind == FaultKind.Wipe)
            {
                // Judged to the end even when the run's time is up: a replica left half-started would be unjudged.
                var wipe = await WipeFault.RunAsync(cluster, fault.Replicas[0], fault.Method, log);
                _wipes.Add(wipe);
                wipeJudged(wipe);
                await Task.Delay(fault.Duration, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            Begin(fault);
            try
            {
                await Task.Delay(fault.Duration, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                End(fault);
            }
        }
    }

    private void Begin(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Kill:
                cluster[fault.Replicas[0]].Kill();
                break;
            case FaultKind.Pause:
                cluster[fault.Replicas[0]].Pause();
                break;
            case FaultKind.PartitionReplicas:
                cluster.Apply(Cut.Between(fault.Replicas, cluster.Ids.Except(fault.Replicas)));
                break;
            case FaultKind.IsolateFromClients:
                cluster.Apply(Cut.FromClients(fault.Replicas[0]));
                break;
        }
    }

    private void End(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.Kill:
                cluster[fault.Replicas[0]].Start();
                break;
            case FaultKind.Pause:
                cluster[fault.Replicas[0]].Resume();
                break;
            default:
                cluster.Apply(Cut.None);
                break;
        }
    }
}
