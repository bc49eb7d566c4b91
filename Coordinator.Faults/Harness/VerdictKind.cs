namespace Coordinator.Faults.Harness;

public enum VerdictKind
{
    Valid,
    Violation,

    /// <summary>No checker judged the history (see <see cref="HistoryCheckers"/>).</summary>
    Unchecked,
}
