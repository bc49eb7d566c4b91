namespace Coordinator.Core.Consensus;

/// <summary>
/// The acceptor role as the replica sees it. One production implementation (<see cref="Acceptor"/>); the seam exists
/// so tests can plug in deliberately broken acceptors and prove the simulation notices.
/// </summary>
internal interface IAcceptor
{
    Ballot Promised { get; }

    /// <summary>Slot below which votes were compacted away.</summary>
    long Floor { get; }

    void OnPrepare(Prepare prepare, Outbox outbox);

    /// <returns>The vote cast, so the local learner can hold the value; null when the accept was refused.</returns>
    Vote? OnAccept(Accept accept, Outbox outbox);

    /// <summary>Drops votes below <paramref name="below"/>; only after the replica's snapshot there is durable.</summary>
    void Truncate(long below, Outbox outbox);

    /// <summary>The votes this acceptor holds, in slot order.</summary>
    IEnumerable<Vote> Votes { get; }
}
