using Coordinator.Core.Consensus;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// The state machine's two clocks (README "Time"). <see cref="Now"/> is the highest wall-clock stamp seen, for the
/// times users see. <see cref="Clock"/> measures durations for leases, TTL nodes and lock-delay: it moves by the
/// leader-clock difference between consecutive batches of the same term, and only of the highest term seen, so it
/// never runs faster than the real time one leader measured, whatever any leader's wall clock says. When a higher
/// term first appears it pauses (the gap is unknown) and <see cref="RestartedAt"/> moves to it: every deadline then
/// counts a full period from there. A value, so a failed Apply restores it by assignment.
/// </summary>
internal readonly record struct MachineTime(long Now, long Clock, Ballot Term, Ballot LastTerm, long LastLeaderClock, long RestartedAt)
{
    /// <summary>The time after applying a batch stamped <paramref name="slot"/>; idempotent for the commands of one batch.</summary>
    /// <param name="restarted">True when the batch's term is higher than any seen before: deadlines restart.</param>
    public MachineTime Advance(SlotTime slot, out bool restarted)
    {
        restarted = false;
        var now = Math.Max(Now, slot.Timestamp);
        if (slot.Term != LastTerm)
        {
            if (slot.Term > Term)
            {
                restarted = true;
                return new MachineTime(now, Clock, slot.Term, slot.Term, slot.LeaderClock, Clock);
            }
            return this with { Now = now, LastTerm = slot.Term, LastLeaderClock = slot.LeaderClock };
        }
        if (slot.LeaderClock <= LastLeaderClock)
        {
            return this with { Now = now };
        }
        // A batch re-proposed from an older term than the highest seen is an old leader's: it never moves the clock.
        var clock = slot.Term == Term ? Saturating.Add(Clock, Elapsed(LastLeaderClock, slot.LeaderClock)) : Clock;
        return this with { Now = now, Clock = clock, LastLeaderClock = slot.LeaderClock };
    }

    /// <summary>A deadline <paramref name="period"/> after <paramref name="since"/>, but never sooner than a full period after the last restart.</summary>
    public long Due(long since, long period) => Saturating.Add(Math.Max(since, RestartedAt), period);

    private static long Elapsed(long from, long to)
    {
        var difference = unchecked(to - from);
        return difference < 0 ? long.MaxValue : difference;
    }
}
