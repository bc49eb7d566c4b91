using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// One node of the tree. Kept small because a replica holds millions: the node stores only its own name, and
/// children live in a per-node dictionary created on the first child (leaves carry none). Enumeration order of
/// that dictionary never reaches an output: readers and snapshots sort names ordinally.
/// </summary>
internal sealed class DataNode(NodeKind kind, byte[] data, long slot, long time, long ephemeralOwner, NodeTtl? ttl)
{
    public NodeKind Kind { get; } = kind;

    public byte[] Data { get; set; } = data;

    public long CreatedSlot { get; } = slot;

    public long ModifiedSlot { get; set; } = slot;

    public long ChildrenModifiedSlot { get; set; } = slot;

    public long CreatedTime { get; } = time;

    public long ModifiedTime { get; set; } = time;

    public long EphemeralOwner { get; } = ephemeralOwner;

    /// <summary>Null unless <see cref="NodeKinds.HasTtl"/>.</summary>
    public NodeTtl? Ttl { get; set; } = ttl;

    public int Version { get; set; }

    public NodeAcl Acl { get; set; } = NodeAcl.Open;

    /// <summary>Bumped on every setAcl: ZooKeeper's Stat.aversion, which a setAcl's expected version is checked against.</summary>
    public int AclVersion { get; set; }

    /// <summary>Bumped on every child create and delete; also the next sequential suffix, as in ZooKeeper.</summary>
    public int ChildVersion { get; set; }

    public Dictionary<string, DataNode>? Children { get; private set; }

    public int ChildCount => Children?.Count ?? 0;

    public bool IsEphemeral => EphemeralOwner != 0;

    public Dictionary<string, DataNode> ChildrenForWrite() => Children ??= new Dictionary<string, DataNode>(StringComparer.Ordinal);

    public DataNode? Child(ReadOnlySpan<char> name) =>
        Children is { } children && children.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var child)
            ? child
            : null;

    public string[] SortedChildNames()
    {
        if (Children is null)
        {
            return [];
        }
        var names = Children.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return names;
    }

    public Stat ToStat() => new(
        CreatedSlot, ModifiedSlot, CreatedTime, ModifiedTime, Version, ChildVersion, EphemeralOwner, Data.Length,
        ChildCount, ChildrenModifiedSlot);
}
