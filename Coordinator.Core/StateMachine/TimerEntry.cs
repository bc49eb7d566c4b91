using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// A point in slot time where something may lapse. Entries are keyed by what they are about, not by when they
/// were added, and a popped entry acts only if its Due still matches the live state; stale entries are no-ops.
/// That lets a restored replica rebuild the queue from state alone and still act in the same order.
/// </summary>
internal readonly record struct TimerEntry(long Due, TimerKind Kind, string Path) : IComparable<TimerEntry>
{
    public int CompareTo(TimerEntry other)
    {
        var byDue = Due.CompareTo(other.Due);
        if (byDue != 0)
        {
            return byDue;
        }
        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Path, other.Path);
    }
}
