namespace Coordinator.Faults.Harness;

/// <summary>A checker's judgement of one workload's history in one run; <see cref="Explanation"/> says why.</summary>
public sealed record Verdict(string Workload, VerdictKind Kind, string Explanation)
{
    public override string ToString() => $"{Workload}: {Kind} {Explanation}".TrimEnd();
}
