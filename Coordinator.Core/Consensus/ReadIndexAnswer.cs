namespace Coordinator.Core.Consensus;

/// <summary>
/// A read index request's outcome. With an <paramref name="Index"/>, a replica that has applied every slot below it
/// may serve the read linearizably: every value chosen before the request arrived lies below it. Without one, this
/// replica lost its leadership before it could confirm it; <paramref name="LeaderHint"/> names who may lead now.
/// </summary>
internal sealed record ReadIndexAnswer(long RequestId, long? Index, int LeaderHint);
