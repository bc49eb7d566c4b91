using Coordinator.Client;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Harness;

/// <summary>
/// Maps how a call ended to an outcome. Failed only when the call says it surely was not applied
/// (<see cref="CoordinatorException.Outcome"/>) or the workload's resource refused it; whatever may have taken effect -
/// timeouts, lost connections, a session that ended while a write was in flight, NoQuorum (the gateway gave up but the
/// leader may still choose it) - is Unknown. The checkers thereby test the client's own claim: a write it calls
/// NotApplied that shows up in the history is a violation.
/// </summary>
internal static class OutcomeClassifier
{
    public static Outcome Classify(Exception error) => error switch
    {
        OperationRefused => Outcome.Failed,
        CoordinatorException { Outcome: OperationOutcome.NotApplied } => Outcome.Failed,
        _ => Outcome.Unknown,
    };
}
