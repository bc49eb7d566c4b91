namespace Coordinator.Core.Consensus;

internal enum SubmitStatus
{
    /// <summary>The leader queued the command; it is proposed as soon as the pipeline window has room.</summary>
    Queued,

    /// <summary>This replica does not lead; <see cref="SubmitResult.LeaderHint"/> names who it believes does (0: unknown).</summary>
    NotLeader,

    /// <summary>The leader's queue is full: the caller should back off and retry.</summary>
    Overloaded,
}

internal readonly record struct SubmitResult(SubmitStatus Status, int LeaderHint);
