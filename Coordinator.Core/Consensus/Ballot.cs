namespace Coordinator.Core.Consensus;

/// <summary>
/// A Paxos ballot: ordered by round, then by the replica that owns it, so two replicas never share a ballot.
/// Round 0 is reserved for <see cref="Zero"/>, the ballot nobody has promised yet.
/// </summary>
internal readonly record struct Ballot(long Round, int ReplicaId) : IComparable<Ballot>
{
    public static readonly Ballot Zero = new(0, 0);

    public int CompareTo(Ballot other)
    {
        var byRound = Round.CompareTo(other.Round);
        return byRound != 0 ? byRound : ReplicaId.CompareTo(other.ReplicaId);
    }

    public static bool operator <(Ballot left, Ballot right) => left.CompareTo(right) < 0;
    public static bool operator >(Ballot left, Ballot right) => left.CompareTo(right) > 0;
    public static bool operator <=(Ballot left, Ballot right) => left.CompareTo(right) <= 0;
    public static bool operator >=(Ballot left, Ballot right) => left.CompareTo(right) >= 0;

    public static Ballot Max(Ballot left, Ballot right) => left >= right ? left : right;

    public override string ToString() => $"{Round}.{ReplicaId}";
}
