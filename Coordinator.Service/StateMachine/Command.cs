namespace Coordinator.Service.StateMachine;

/// <summary>What a client proposes: a transaction with its exactly-once identity.</summary>
internal sealed record Command(long SessionId, long Sequence, Transaction Transaction);
