using Coordinator.Client;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// Checks recursive watch streams against the committed changes (issue 18): every watcher receives, in log order,
/// every change under its path after its start, each once, with no gap but one a Compacted event announces.
/// <para>
/// Operations. A watcher's stream is a segment, named by <see cref="Operation.Client"/> (a watcher that lost its
/// session starts a new segment): "watch-start" (Key = the watched path, Value = the slot it watches from: it must
/// see every change after that slot), "watch-event" (Key = the event's path, Value = its slot, Expected = its index
/// in the slot, Result = its <see cref="WatchEventType"/>), "watch-end" (Result 1 when the stream saw the run's final
/// fence write, 0 when it ended before). Writes: "watch-set", "watch-create", "watch-delete" (Key = the node; an Ok
/// set or create has Result = the slot it applied at, from the node's Stat).
/// </para>
/// <para>
/// The committed changes are known from two sides: the union of every stream's events (a position names one change,
/// so two streams reporting one position differently is a violation) and every Ok set or create, whose slot is
/// exact. A segment covers the positions after its start and up to its last event, except across a Compacted event,
/// which excuses what lies between the event before it and itself. Violations: an event out of order or repeated,
/// outside the watched path, or of a type a recursive watch does not get; a change inside a covered window that the
/// segment lacks (another stream saw it, or an Ok write applied there); more events on a node than writes of that
/// kind were attempted; a watcher whose last segment never saw the final fence (its tail would go unchecked).
/// </para>
/// </summary>
public static class WatchChecker
{
    /// <exception cref="ArgumentException">An operation is not one of the watch workload's.</exception>
    public static CheckResult Check(IReadOnlyList<Operation> history)
    {
        var segments = new Dictionary<int, Segment>();
        var writes = new List<Operation>();
        var violations = new List<string>();
        foreach (var operation in history.OrderBy(operation => operation.Id))
        {
            switch (operation.Function)
            {
                case "watch-start":
                    segments[operation.Client] = new Segment(operation.Client, operation.Key, Position.After(operation.Value ?? 0));
                    break;
                case "watch-event" when segments.TryGetValue(operation.Client, out var segment):
                    segment.Events.Add(new Change(new Position(operation.Value ?? 0, (int)(operation.Expected ?? 0)), (WatchEventType)(operation.Result ?? 0), operation.Key));
                    break;
                case "watch-end" when segments.TryGetValue(operation.Client, out var segment):
                    segment.SawFence = operation.Result == 1;
                    break;
                case "watch-set" or "watch-create" or "watch-delete":
                    writes.Add(operation);
                    break;
                default:
                    throw new ArgumentException($"not a watch operation: {OperationText.Describe(operation)}", nameof(history));
            }
        }
        var committed = new SortedDictionary<Position, Change>();
        foreach (var segment in segments.Values)
        {
            violations.AddRange(segment.Malformed());
            foreach (var change in segment.Events.Where(change => change.Type != WatchEventType.Compacted))
            {
                if (!committed.TryAdd(change.Position, change) && committed[change.Position] != change)
                {
                    violations.Add($"position {change.Position} is {committed[change.Position]} in one stream and {change} in stream {segment.Id}");
                }
            }
        }
        violations.AddRange(Overcounted(committed.Values, writes));
        var okWrites = writes
            .Where(write => write is { Outcome: Outcome.Ok, Result: not null, Function: "watch-set" or "watch-create" })
            .Select(write => (Path: write.Key, Slot: write.Result!.Value, Type: write.Function == "watch-set" ? WatchEventType.NodeDataChanged : WatchEventType.NodeCreated))
            .ToList();
        var gaps = 0;
        foreach (var segment in segments.Values)
        {
            gaps += segment.Events.Count(change => change.Type == WatchEventType.Compacted);
            violations.AddRange(segment.Missing(committed.Values, okWrites));
        }
        foreach (var watcher in segments.Values.GroupBy(segment => segment.Path))
        {
            var unfinished = watcher.Where(segment => !segment.SawFence).ToList();
            if (watcher.All(segment => !segment.SawFence))
            {
                violations.Add($"no stream watching {watcher.Key} saw the final fence write (streams {string.Join(", ", unfinished.Select(segment => segment.Id))})");
            }
        }
        var events = segments.Values.Sum(segment => segment.Events.Count);
        return violations.Count == 0
            ? CheckResult.Valid($"{segments.Count} streams of {segments.Values.Select(segment => segment.Path).Distinct().Count()} watched paths received {events} events, " +
                $"equal to the {committed.Count} committed changes under their paths ({okWrites.Count} Ok writes with a slot; {gaps} Compacted gaps)")
            : CheckResult.Invalid(string.Join("\n", violations.Take(20)) + (violations.Count > 20 ? $"\n... and {violations.Count - 20} more" : ""));
    }

    /// <summary>No node gets more events of a kind than writes of that kind were attempted on it (and not refused).</summary>
    private static IEnumerable<string> Overcounted(IEnumerable<Change> committed, List<Operation> writes)
    {
        var attempted = writes.Where(write => write.Outcome != Outcome.Failed)
            .GroupBy(write => (write.Key, Type: write.Function switch
            {
                "watch-set" => WatchEventType.NodeDataChanged,
                "watch-create" => WatchEventType.NodeCreated,
                _ => WatchEventType.NodeDeleted,
            }))
            .ToDictionary(group => group.Key, group => group.Count());
        foreach (var group in committed.GroupBy(change => (Key: change.Path, change.Type)))
        {
            var count = group.Count();
            if (count > attempted.GetValueOrDefault(group.Key))
            {
                yield return $"{count} {group.Key.Type} events on {group.Key.Key}, but only {attempted.GetValueOrDefault(group.Key)} such writes were attempted";
            }
        }
    }

    /// <summary>A position in the log: a slot and the index of a change within it.</summary>
    private readonly record struct Position(long Slot, int Index) : IComparable<Position>
    {
        public static Position After(long slot) => new(slot, int.MaxValue);

        public static Position Max(Position left, Position right) => left >= right ? left : right;

        public int CompareTo(Position other) => Slot != other.Slot ? Slot.CompareTo(other.Slot) : Index.CompareTo(other.Index);

        public static bool operator <(Position left, Position right) => left.CompareTo(right) < 0;

        public static bool operator >(Position left, Position right) => left.CompareTo(right) > 0;

        public static bool operator <=(Position left, Position right) => left.CompareTo(right) <= 0;

        public static bool operator >=(Position left, Position right) => left.CompareTo(right) >= 0;

        public override string ToString() => $"{Slot}.{Index}";
    }

    private sealed record Change(Position Position, WatchEventType Type, string Path)
    {
        public override string ToString() => $"{Type} {Path} at {Position}";
    }

    private sealed class Segment(int id, string path, Position start)
    {
        public int Id { get; } = id;

        public string Path { get; } = path;

        public List<Change> Events { get; } = [];

        public bool SawFence { get; set; }

        public IEnumerable<string> Malformed()
        {
            var previous = start;
            foreach (var change in Events)
            {
                if (change.Position <= previous)
                {
                    yield return $"stream {Id} on {Path}: {change} after {previous} (repeated or out of order)";
                }
                else if (change.Type == WatchEventType.Compacted ? change.Path != Path : change.Type is not (WatchEventType.NodeCreated or WatchEventType.NodeDeleted or WatchEventType.NodeDataChanged) || !Covers(change.Path))
                {
                    yield return $"stream {Id} on {Path}: {change} is not an event of a recursive watch on {Path}";
                }
                previous = Position.Max(previous, change.Position);
            }
        }

        /// <summary>The committed changes this segment had to receive and did not.</summary>
        public IEnumerable<string> Missing(IEnumerable<Change> committed, List<(string Path, long Slot, WatchEventType Type)> okWrites)
        {
            if (Events.Count == 0)
            {
                yield break;
            }
            var windows = Windows();
            bool Inside(Position position) => windows.Any(window => position > window.From && position <= window.To);
            var received = Events.Select(change => change.Position).ToHashSet();
            foreach (var change in committed.Where(change => Covers(change.Path) && Inside(change.Position) && !received.Contains(change.Position)))
            {
                yield return $"stream {Id} on {Path} lacks {change}, which another stream received";
            }
            // An Ok write's index in its slot is unknown: it is checked only where its whole slot lies in a window.
            var receivedBySlot = Events.GroupBy(change => (change.Path, change.Position.Slot, change.Type)).ToDictionary(group => group.Key, group => group.Count());
            foreach (var write in okWrites.Where(write => Covers(write.Path)).GroupBy(write => write))
            {
                var (path, slot, type) = write.Key;
                if (Inside(new Position(slot, -1)) && Inside(Position.After(slot)) && receivedBySlot.GetValueOrDefault((path, slot, type)) < write.Count())
                {
                    yield return $"stream {Id} on {Path} lacks {type} {path} in slot {slot}: {write.Count()} Ok write(s) applied there, {receivedBySlot.GetValueOrDefault((path, slot, type))} event(s) received";
                }
            }
        }

        /// <summary>The stretches this segment vouches for: from its start to its last event, cut at each Compacted event.</summary>
        private List<(Position From, Position To)> Windows()
        {
            var windows = new List<(Position From, Position To)>();
            var from = start;
            var previous = start;
            foreach (var change in Events)
            {
                if (change.Type == WatchEventType.Compacted)
                {
                    windows.Add((from, previous));
                    from = change.Position;
                }
                previous = Position.Max(previous, change.Position);
            }
            windows.Add((from, previous));
            return windows;
        }

        private bool Covers(string node) =>
            node == Path || Path == "/" || (node.StartsWith(Path, StringComparison.Ordinal) && node.Length > Path.Length && node[Path.Length] == '/');
    }
}
