namespace Coordinator.Core.Consensus;

/// <summary>What an acceptor makes durable before it answers. Replaying these rebuilds it exactly.</summary>
internal abstract record AcceptorEvent;

internal sealed record BallotPromised(Ballot Ballot) : AcceptorEvent;

internal sealed record ValueAccepted(Vote Vote) : AcceptorEvent;

/// <summary>Votes below <paramref name="Below"/> were dropped after the replica snapshotted its state there.</summary>
internal sealed record LogTruncated(long Below) : AcceptorEvent;
