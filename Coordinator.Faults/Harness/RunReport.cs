using Coordinator.Faults.Faults;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Harness;

/// <summary>What a run did and what the checkers said; <see cref="RunDirectory"/> is null once deleted.</summary>
public sealed record RunReport(
    int Seed,
    IReadOnlyList<Fault> Schedule,
    IReadOnlyDictionary<Outcome, int> Outcomes,
    IReadOnlyList<Verdict> Verdicts,
    string? RunDirectory)
{
    public bool HasViolation => Verdicts.Any(verdict => verdict.Kind == VerdictKind.Violation);
}
