using Coordinator.Faults.History;

namespace Coordinator.Faults.Checking;

/// <summary>
/// One operation of a register history as the search sees it: what it does to the register model, and whether it must
/// be linearized (a definite outcome) or may be dropped (<see cref="Outcome.Unknown"/>, which the search treats as
/// completing at infinity).
/// </summary>
internal sealed record RegisterStep(Operation Source, RegisterStepKind Kind, bool Optional)
{
    public long ReturnNanos => Optional ? long.MaxValue : Source.CompletedOrEndNanos;

    /// <summary>Applies the step to the register value <paramref name="state"/>, or returns false if it cannot happen there.</summary>
    public bool TryApply(long? state, out long? next)
    {
        next = state;
        switch (Kind)
        {
            case RegisterStepKind.Read:
                return state == Source.Result;
            case RegisterStepKind.Write:
                next = Source.Value;
                return true;
            case RegisterStepKind.CompareAndSet when state == Source.Expected:
                next = Source.Value;
                return true;
            case RegisterStepKind.CompareAndSet:
                return false;
            case RegisterStepKind.FailedCompareAndSet:
                return state != Source.Expected;
            default:
                throw new InvalidOperationException($"unknown register step kind {Kind}");
        }
    }
}
