namespace Coordinator.Service.Operations;

/// <summary>
/// What the health probes answer, decided from what the replica last published. Live: the replica actor is still
/// ticking (or still recovering its journal). Ready: it has recovered, knows a leader, and trails what it knows is
/// chosen by at most the configured lag, so the reads it serves are not far behind and its writes have somewhere to go.
/// </summary>
internal static class ReplicaHealth
{
    /// <summary>A replica actor that has not ticked for this long is stuck (its tick is every few milliseconds).</summary>
    public const long StuckAfterMs = 10_000;

    public static (bool Live, string Reason) Liveness(ReplicaState state, long now) =>
        !state.Recovered ? (true, "recovering its journal")
        : now - state.ObservedAt > StuckAfterMs ? (false, $"the replica has not ticked for {(now - state.ObservedAt) / 1000} s")
        : (true, "live");

    public static (bool Ready, string Reason) Readiness(ReplicaState state, long now, long maxLag)
    {
        if (!state.Recovered)
        {
            return (false, "recovering its journal");
        }
        if (Liveness(state, now) is (false, var stuck))
        {
            return (false, stuck);
        }
        if (state.LeaderId == 0)
        {
            return (false, "no leader known (no quorum, or an election in progress)");
        }
        var lag = state.Lag;
        return lag > maxLag
            ? (false, $"{lag} slots behind what is chosen (more than {maxLag})")
            : (true, $"ready: leader {state.LeaderId}, applied below slot {state.AppliedBelow}");
    }
}
