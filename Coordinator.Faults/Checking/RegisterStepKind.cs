namespace Coordinator.Faults.Checking;

/// <summary>The four ways an operation can act on a register once its outcome is taken into account.</summary>
internal enum RegisterStepKind
{
    /// <summary>An Ok read: the register held exactly the value read.</summary>
    Read,

    /// <summary>A write: the register now holds the value.</summary>
    Write,

    /// <summary>A compare-and-set that applied: the register held the expected value and now holds the new one.</summary>
    CompareAndSet,

    /// <summary>
    /// A compare-and-set that definitely failed: it changed nothing and saw a value other than the expected one, so it
    /// is a read that constrains the register.
    /// </summary>
    FailedCompareAndSet,
}
