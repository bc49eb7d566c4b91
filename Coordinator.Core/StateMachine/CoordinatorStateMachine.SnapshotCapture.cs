using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

internal sealed partial class CoordinatorStateMachine
{
    /// <summary>Captures begun and not complete: the machine must not change under them.</summary>
    private int _capturesInProgress;

    /// <summary>
    /// Starts a snapshot that is written a slice at a time (<see cref="SnapshotCapture.Advance"/>). A replica
    /// interleaves the slices with its other messages, so a tree of a million nodes, which takes a second to write, never
    /// holds up its Paxos traffic and heartbeats for longer than one slice. The machine must not change until the
    /// capture completes: <see cref="Apply"/> throws meanwhile (its caller holds chosen slots back instead). Reads go
    /// on, and see the state being captured.
    /// </summary>
    public SnapshotCapture BeginSnapshot() => new(this);

    /// <summary>
    /// A snapshot being written: first every node is visited for the distinct ACLs (the table comes before the tree),
    /// then the tree is written in pre-order, then everything after it at once (sessions, locks, users: small beside
    /// a big tree). The bytes equal <see cref="Snapshot"/>'s of the same state, whatever the slices.
    /// </summary>
    public sealed class SnapshotCapture : ISnapshotCapture
    {
        private readonly CoordinatorStateMachine _machine;
        private readonly WireWriter _writer = new(64 * 1024);
        private readonly Stack<DataNode> _unvisited = new();
        private readonly HashSet<NodeAcl> _acls = [];
        private readonly Stack<Frame> _path = new();
        private Dictionary<NodeAcl, int>? _aclIndex;
        private PendingBytes? _result;

        internal SnapshotCapture(CoordinatorStateMachine machine)
        {
            _machine = machine;
            _machine._capturesInProgress++;
            _unvisited.Push(machine._root);
        }

        public PendingBytes Result => _result ?? throw new InvalidOperationException("The snapshot capture is not complete.");

        /// <summary>Visits at most <paramref name="nodes"/> more nodes; true once the snapshot is complete.</summary>
        public bool Advance(int nodes)
        {
            if (_result is not null)
            {
                return true;
            }
            var budget = nodes;
            while (budget > 0 && _unvisited.TryPop(out var node))
            {
                _acls.Add(node.Acl);
                if (node.Children is { } children)
                {
                    foreach (var child in children.Values)
                    {
                        _unvisited.Push(child);
                    }
                }
                budget--;
            }
            if (_unvisited.Count > 0)
            {
                return false;
            }
            if (_aclIndex is null)
            {
                StartTree();
            }
            while (budget > 0 && _path.TryPeek(out var frame))
            {
                if (frame.Next == frame.Names.Length)
                {
                    _path.Pop();
                    continue;
                }
                var name = frame.Names[frame.Next++];
                var child = frame.Node.Children![name];
                _path.Push(new Frame(child, WriteNodeFields(_writer, name, child, _aclIndex!)));
                budget--;
            }
            if (_path.Count > 0)
            {
                return false;
            }
            _machine.WriteSnapshotTail(_writer);
            _result = _writer.ToPending();
            _machine._capturesInProgress--;
            return true;
        }

        private void StartTree()
        {
            var acls = _acls.ToArray();
            // Sorted by text, so the table depends on nothing but the ACLs present.
            Array.Sort(acls, (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
            _aclIndex = new Dictionary<NodeAcl, int>(acls.Length);
            foreach (var acl in acls)
            {
                _aclIndex.Add(acl, _aclIndex.Count);
            }
            _machine.WriteSnapshotHead(_writer, acls);
            _path.Push(new Frame(_machine._root, WriteNodeFields(_writer, string.Empty, _machine._root, _aclIndex)));
        }

        /// <summary>A node whose fields are written, and which of its children is written next.</summary>
        private sealed class Frame(DataNode node, string[] names)
        {
            public DataNode Node { get; } = node;

            public string[] Names { get; } = names;

            public int Next { get; set; }
        }
    }
}
