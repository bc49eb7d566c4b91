namespace Coordinator.Faults.Harness;

public enum VerdictKind
{
    Valid,
    Violation,

    /// <summary>The checker gave up: the history was too large for its search bound. Neither a pass nor a failure.</summary>
    Unchecked,
}
