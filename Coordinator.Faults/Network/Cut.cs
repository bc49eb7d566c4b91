namespace Coordinator.Faults.Network;

/// <summary>
/// What the network drops right now: links between two replicas (unordered pairs of ids) and replicas cut off from
/// every client. <see cref="None"/> is a healed network.
/// </summary>
internal sealed record Cut(IReadOnlySet<(int A, int B)> ReplicaLinks, IReadOnlySet<int> IsolatedFromClients)
{
    public static Cut None { get; } = new(new HashSet<(int, int)>(), new HashSet<int>());

    /// <summary>Every link between the two sides is cut; links inside a side stay.</summary>
    public static Cut Between(IEnumerable<int> side, IEnumerable<int> otherSide) =>
        new(side.SelectMany(a => otherSide.Select(b => Pair(a, b))).ToHashSet(), new HashSet<int>());

    public static Cut FromClients(int replica) => new(new HashSet<(int, int)>(), new HashSet<int> { replica });

    public bool Drops(int a, int b) => ReplicaLinks.Contains(Pair(a, b));

    private static (int, int) Pair(int a, int b) => a < b ? (a, b) : (b, a);
}
