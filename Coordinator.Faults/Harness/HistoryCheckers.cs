using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Harness;

/// <summary>The one seam between the harness and the checkers: each workload hands its part of the run's history here.</summary>
internal static class HistoryCheckers
{
    /// <summary>"read" (Result = value or null), "write" (Value), "cas" (Expected -> Value), per Key.</summary>
    public static Verdict Registers(IReadOnlyList<Operation> history) => Judge("registers", LinearizabilityChecker.Check(history));

    /// <summary>"acquire" (Result = token), "fenced-write" (Expected = the token presented), "release".</summary>
    public static Verdict Locks(IReadOnlyList<Operation> history) => Judge("locks", LockChecker.Check(history));

    /// <summary>"add" (Value = element); <paramref name="finalElements"/> was read after healing and a full restart.</summary>
    public static Verdict Sets(IReadOnlyList<Operation> history, IReadOnlySet<long> finalElements) =>
        Judge("sets", SetChecker.Check(history, finalElements));

    /// <summary>"open", "close", "expire", "check" (Result 1/0); Client = the session's number.</summary>
    public static Verdict Ephemerals(IReadOnlyList<Operation> history, TimeSpan expiryAllowance) =>
        Judge("ephemeral", EphemeralChecker.Check(history, expiryAllowance));

    /// <summary>"watch-start", "watch-event", "watch-end" per stream (Client); "watch-set", "watch-create", "watch-delete".</summary>
    public static Verdict Watches(IReadOnlyList<Operation> history) => Judge("watch", WatchChecker.Check(history));

    private static Verdict Judge(string workload, CheckResult result) => new(workload, result.Verdict switch
    {
        Checking.Verdict.Valid => VerdictKind.Valid,
        Checking.Verdict.Invalid => VerdictKind.Violation,
        _ => VerdictKind.Unchecked,
    }, result.Explanation);
}
