namespace Coordinator.Core.Consensus;

/// <summary>
/// What a leader tells learners: every slot below <paramref name="ChosenBelow"/> is chosen, and the leader of
/// <paramref name="Ballot"/> proposed each slot it covers in that ballot, so a learner whose acceptor voted for a
/// slot in that same ballot already holds the chosen value and needs nothing more on the wire.
/// </summary>
internal readonly record struct CommitPoint(Ballot Ballot, long ChosenBelow);
