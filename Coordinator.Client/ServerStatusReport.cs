namespace Coordinator.Client;

/// <summary>What one server said about itself, or why it said nothing (<see cref="Error"/>); <see cref="ClusterId"/> is its replica's cluster.</summary>
public sealed record ServerStatusReport(
    string Server,
    int ReplicaId,
    string Role,
    string Ballot,
    int LeaderId,
    long AppliedBelow,
    long KnownChosenBelow,
    int AttachedSessions,
    int Watches,
    IReadOnlyList<string> Members,
    string? Error,
    string ClusterId = "")
{
    public bool Reachable => Error is null;
}
