using Coordinator.Core.Consensus;

namespace Coordinator.Service.Operations;

/// <summary>
/// What a replica actor last published of its state, for gauges and health probes read on other threads. The actor
/// replaces it whole (one reference write), so a reader never sees half of one observation.
/// </summary>
/// <param name="ObservedAt"><see cref="Environment.TickCount64"/> when the replica published this.</param>
internal sealed record ReplicaState(
    bool Recovered,
    long ObservedAt,
    ProposerRole Role,
    long BallotRound,
    long PromisedRound,
    int LeaderId,
    long AppliedBelow,
    long KnownChosenBelow,
    int PendingCommands)
{
    public static readonly ReplicaState Recovering = new(false, 0, ProposerRole.Follower, 0, 0, 0, 0, 0, 0);

    /// <summary>Slots chosen (as far as this replica knows) that it has not applied yet.</summary>
    public long Lag => Math.Max(0, KnownChosenBelow - AppliedBelow);
}
