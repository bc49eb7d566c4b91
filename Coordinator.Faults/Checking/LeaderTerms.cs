using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// When leaders were elected and when a fault may have ended the sitting leader's term. Only a leader expires
/// sessions, and a new leader gives every session a full fresh timeout: an abandoned session's ephemerals may outlive
/// their first deadline by a timeout after every election before it, and when the leader itself was killed, paused
/// or cut off before it, by a timeout after the election that followed.
/// </summary>
internal sealed class LeaderTerms
{
    private readonly List<(long At, long Replica)> _elections;
    private readonly List<long> _leaderDisruptions;

    private LeaderTerms(List<(long At, long Replica)> elections, List<long> leaderDisruptions)
    {
        _elections = elections;
        _leaderDisruptions = leaderDisruptions;
    }

    public static LeaderTerms From(IReadOnlyList<Operation> history)
    {
        var elections = history.Where(operation => operation.Function == "leader")
            .Select(operation => (operation.InvokedNanos, operation.Value ?? 0)).OrderBy(election => election.InvokedNanos).ToList();
        var disruptions = history.Where(operation => operation.Function == "fault")
            .Where(fault => elections.LastOrDefault(election => election.InvokedNanos <= fault.InvokedNanos) is var sitting
                            && sitting != default && sitting.Item2 == fault.Value)
            .Select(fault => fault.InvokedNanos).Order().ToList();
        return new LeaderTerms(elections, disruptions);
    }

    /// <summary>The latest time a session whose client stopped at <paramref name="stoppedAt"/> may still be alive.</summary>
    public long ExpiryDeadline(long stoppedAt, long sessionTimeoutNanos)
    {
        var deadline = Add(stoppedAt, sessionTimeoutNanos);
        bool moved;
        do
        {
            moved = false;
            foreach (var (at, _) in _elections)
            {
                if (at > stoppedAt && at <= deadline && Add(at, sessionTimeoutNanos) > deadline)
                {
                    deadline = Add(at, sessionTimeoutNanos);
                    moved = true;
                }
            }
            foreach (var disrupted in _leaderDisruptions)
            {
                if (disrupted > stoppedAt && disrupted <= deadline)
                {
                    var next = _elections.FirstOrDefault(election => election.At > disrupted);
                    var until = next == default ? long.MaxValue : Add(next.At, sessionTimeoutNanos);
                    if (until > deadline)
                    {
                        deadline = until;
                        moved = true;
                    }
                }
            }
        }
        while (moved && deadline != long.MaxValue);
        return deadline;
    }

    private static long Add(long at, long nanos) => at > long.MaxValue - nanos ? long.MaxValue : at + nanos;
}
