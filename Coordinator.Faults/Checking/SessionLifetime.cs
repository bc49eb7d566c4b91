using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// One session of the ephemeral workload and the node it owns: when the node could exist, and when it surely did.
/// </summary>
/// <param name="Open">The "open" that started the session and created the node.</param>
/// <param name="Close">The Ok "close" that ended it, if any: the only proof that the session lived that long.</param>
/// <param name="GoneByNanos">The node surely no longer exists from here on (long.MaxValue when nothing bounds it).</param>
internal sealed record SessionLifetime(Operation Open, Operation? Close, long GoneByNanos)
{
    public string Node => Open.Key;

    /// <summary>Whether the node may have existed at some instant of [from, to].</summary>
    public bool MayExistWithin(long from, long to) => Open.Outcome != Outcome.Failed && Open.InvokedNanos <= to && from <= GoneByNanos;

    /// <summary>Whether the node surely existed throughout [from, to]: created before and deleted after, strictly.</summary>
    public bool SurelyExistsThroughout(long from, long to) =>
        Open.Outcome == Outcome.Ok && Close is not null && Open.CompletedOrEndNanos < from && to < Close.InvokedNanos;
}
