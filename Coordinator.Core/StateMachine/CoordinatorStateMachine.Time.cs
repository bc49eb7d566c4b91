using Coordinator.Core.Consensus;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Deadlines on the duration clock (README "Time"). Each is kept as the time it counts from plus a period, and is due
/// a full period after the later of that and the last restart; when a higher term appears the timer queue is rebuilt
/// with the restarted deadlines.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    /// <summary>A childless TTL node goes once the duration clock passes this (its TTL since its creation or last write).</summary>
    private long TtlDue(NodeTtl ttl) => Saturating.Add(_time.Due(ttl.Since, ttl.Ms), 1);

    /// <summary>A lease lapses once the duration clock passes this; session-held locks never do.</summary>
    private long LeaseDue(LockHolder holder) =>
        holder.LeaseTtlMs is { } ttl ? Saturating.Add(_time.Due(holder.RenewedAt, ttl), 1) : long.MaxValue;

    /// <summary>The first duration-clock time a delayed lock may be granted again.</summary>
    private long DelayDue(long delayedUntil) =>
        Math.Max(delayedUntil, _time.Due(_time.RestartedAt, _settings.LockDelayMs));

    private void AdvanceTime(SlotTime time)
    {
        _time = _time.Advance(time, out var restarted);
        if (restarted)
        {
            RestartDeadlines();
        }
    }

    /// <summary>
    /// Moves every pending deadline to its restarted due time. The queue holds an entry for everything that has a
    /// deadline (stale entries too, on a replica that was not restored), so each entry names what to re-time; the
    /// result is the same whatever stale entries a replica's history left.
    /// </summary>
    private void RestartDeadlines()
    {
        var pending = _timers.ToArray();
        foreach (var timer in pending)
        {
            RemoveTimer(timer);
        }
        foreach (var timer in pending)
        {
            switch (timer.Kind)
            {
                case TimerKind.NodeTtl when Find(timer.Path) is { ChildCount: 0, Ttl: { } ttl }:
                    AddTimer(TtlDue(ttl), TimerKind.NodeTtl, timer.Path);
                    break;
                case TimerKind.LeaseLapse when _locks.TryGetValue(timer.Path, out var state):
                    foreach (var holder in state.Holders)
                    {
                        if (holder.LeaseTtlMs is not null)
                        {
                            AddTimer(LeaseDue(holder), TimerKind.LeaseLapse, timer.Path);
                        }
                    }
                    break;
                case TimerKind.LockDelayEnd when _locks.TryGetValue(timer.Path, out var state) && state.DelayedUntil is { } until:
                    AddTimer(DelayDue(until), TimerKind.LockDelayEnd, timer.Path);
                    break;
            }
        }
    }
}
