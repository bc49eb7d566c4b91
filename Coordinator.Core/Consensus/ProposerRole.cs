namespace Coordinator.Core.Consensus;

internal enum ProposerRole
{
    Follower,
    Candidate,
    Leader,
}
