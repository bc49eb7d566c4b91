namespace Coordinator.Client;

/// <summary>
/// A node <see cref="CoordinatorClient.CreateWithStatAsync"/> created: <paramref name="Path"/> with its sequential
/// suffix when there is one, and its Stat, whose CreatedSlot is the slot the create applied at.
/// </summary>
public sealed record CreatedNode(string Path, Stat Stat);
