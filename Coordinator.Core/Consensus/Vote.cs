namespace Coordinator.Core.Consensus;

/// <summary>An acceptor's vote: it accepted <paramref name="Value"/> for <paramref name="Slot"/> in <paramref name="Ballot"/>.</summary>
internal sealed record Vote(long Slot, Ballot Ballot, Batch Value);
