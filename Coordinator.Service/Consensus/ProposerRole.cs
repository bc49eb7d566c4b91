namespace Coordinator.Service.Consensus;

internal enum ProposerRole
{
    Follower,
    Candidate,
    Leader,
}
