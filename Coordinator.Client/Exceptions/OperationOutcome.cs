namespace Coordinator.Client;

/// <summary>What a failed call did to the cluster's state, as far as the client can know.</summary>
public enum OperationOutcome
{
    /// <summary>Surely not applied: the cluster refused it, or it never left the client. Retrying is safe.</summary>
    NotApplied = 0,

    /// <summary>
    /// May have been applied, exactly once, or not at all: the answer was lost, or the session ended while the
    /// operation was in flight. Read the state before retrying a write that is not idempotent.
    /// </summary>
    Unknown = 1,
}
