namespace Coordinator.Client.Recipes;

/// <summary>The current leader of an election: its session and the data it campaigned with or last proclaimed.</summary>
/// <param name="Since">The slot at which it published its data; a new term has a higher one.</param>
/// <param name="Updated">The slot of its current data: <paramref name="Since"/>, or that of its latest Proclaim.</param>
public sealed record ElectionLeader(long SessionId, byte[] Data, long Since, long Updated);
