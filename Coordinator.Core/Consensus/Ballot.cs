namespace Coordinator.Core.Consensus;

/// <summary>
/// A Paxos ballot: ordered by round, then by the replica that owns it, so two replicas never share a ballot.
/// Round 0 is reserved for <see cref="Zero"/>, the ballot nobody has promised yet.
/// </summary>
internal readonly record struct Ballot(long Round, int ReplicaId) : IComparable<Ballot>
{
    public static readonly Ballot Zero = new(0, 0);

    /// <summary>
    /// The highest round a real replica can reach: each election adds one, so no cluster gets near it, while a forged
    /// or corrupt round above it would leave too little room for the next round's +1 (a wrap to a negative round
    /// would leave no ballot able to win, across restarts too). A round outside 1..MaxRound is refused.
    /// </summary>
    public const long MaxRound = long.MaxValue / 4;

    /// <summary>Whether a replica can have reached this round; the caller checks the owner is a configured replica.</summary>
    public bool HasReachableRound => Round is >= 1 and <= MaxRound;

    /// <summary>The ballot <paramref name="replicaId"/> runs its next election with: one round above this one.</summary>
    public Ballot Next(int replicaId) => new(checked(Round + 1), replicaId);

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
