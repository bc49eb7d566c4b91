namespace Coordinator.Core.Protocol;

/// <summary>What a client proposes: a transaction with its exactly-once identity.</summary>
internal sealed record ClientCommand(long SessionId, long Sequence, Transaction Transaction);
