using Coordinator.Faults.History;

namespace Coordinator.Faults.Harness;

/// <summary>
/// The one seam between the harness and the checkers of Coordinator.Faults.Checking: each workload hands its part of
/// the run's history here. Until the checkers are merged every history comes back <see cref="VerdictKind.Unchecked"/>;
/// wiring them means replacing these four bodies with calls to <c>LinearizabilityChecker.Check</c>,
/// <c>LockChecker.Check</c>, <c>SetChecker.Check</c> and <c>EphemeralChecker.Check</c>.
/// </summary>
internal static class HistoryCheckers
{
    private const string NotWired = "(checkers not wired yet)";

    /// <summary>"read" (Result = value or null), "write" (Value), "cas" (Expected -> Value), per Key.</summary>
    public static Verdict Registers(IReadOnlyList<Operation> history) => new("registers", VerdictKind.Unchecked, NotWired);

    /// <summary>"acquire" (Result = token), "fenced-write" (Value = token), "release" (Value = token).</summary>
    public static Verdict Locks(IReadOnlyList<Operation> history) => new("locks", VerdictKind.Unchecked, NotWired);

    /// <summary>"add" (Value = element); <paramref name="finalElements"/> was read after healing and a full restart.</summary>
    public static Verdict Sets(IReadOnlyList<Operation> history, IReadOnlySet<long> finalElements) => new("sets", VerdictKind.Unchecked, NotWired);

    /// <summary>"open", "close", "expire", "check" (Result 1/0); Client = the session's number.</summary>
    public static Verdict Ephemerals(IReadOnlyList<Operation> history, TimeSpan sessionTimeout) => new("ephemeral", VerdictKind.Unchecked, NotWired);
}
