using Coordinator.Client;

namespace Coordinator.Service.Gateway;

/// <summary>What a read found in the replica's applied state.</summary>
internal sealed record ReadOutcome(ErrorCode Code, Stat Stat, byte[] Data, IReadOnlyList<string> Children);
