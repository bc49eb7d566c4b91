namespace Coordinator.Client.Recipes;

/// <summary>The current leader of an election: its session and the data it campaigned with.</summary>
/// <param name="Since">The slot at which it published its data; a new term has a higher one.</param>
public sealed record ElectionLeader(long SessionId, byte[] Data, long Since);
