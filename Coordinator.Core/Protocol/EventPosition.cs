namespace Coordinator.Core.Protocol;

/// <summary>
/// Where a node event sits in the log: its slot and its place among that slot's node events (0, 1, ...). Every replica
/// applies the same commands in the same order, so a position names the same event on every replica; a watcher that
/// moves between replicas resumes after the last position it saw, and two changes in one slot stay two events.
/// </summary>
internal readonly record struct EventPosition(long Slot, int Index) : IComparable<EventPosition>
{
    /// <summary>Before every event of <paramref name="slot"/>.</summary>
    public static EventPosition Before(long slot) => new(slot, -1);

    /// <summary>After every event of <paramref name="slot"/>.</summary>
    public static EventPosition After(long slot) => new(slot, int.MaxValue);

    public int CompareTo(EventPosition other) => Slot != other.Slot ? Slot.CompareTo(other.Slot) : Index.CompareTo(other.Index);

    public static bool operator <(EventPosition left, EventPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(EventPosition left, EventPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventPosition left, EventPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventPosition left, EventPosition right) => left.CompareTo(right) >= 0;

    public static EventPosition Max(EventPosition left, EventPosition right) => left >= right ? left : right;
}
