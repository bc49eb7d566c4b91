using Coordinator.Client;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// A node's ACL, immutable and compared by content, so nodes can share one instance (every node of the default ACL
/// does, and a snapshot writes each distinct ACL once).
/// </summary>
internal sealed class NodeAcl : IEquatable<NodeAcl>
{
    private readonly AclEntry[] _entries;
    private readonly int _hash;

    public NodeAcl(IEnumerable<AclEntry> entries)
    {
        _entries = [.. entries];
        var hash = new HashCode();
        foreach (var entry in _entries)
        {
            hash.Add(entry);
        }
        _hash = hash.ToHashCode();
    }

    /// <summary>ZooKeeper's OPEN_ACL_UNSAFE: the root's ACL and the default one.</summary>
    public static NodeAcl Open { get; } = new([AclEntry.OpenToAnyone]);

    public IReadOnlyList<AclEntry> Entries => _entries;

    public bool Equals(NodeAcl? other) => other is not null && _entries.AsSpan().SequenceEqual(other._entries);

    public override bool Equals(object? obj) => Equals(obj as NodeAcl);

    public override int GetHashCode() => _hash;

    public override string ToString() => string.Join(",", _entries.Select(entry => entry.ToString()));
}
