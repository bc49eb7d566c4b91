namespace Coordinator.Faults.Checking;

/// <summary>What a checker concluded about a history.</summary>
public enum Verdict
{
    /// <summary>The history satisfies the checked property.</summary>
    Valid,

    /// <summary>The history violates the property; the explanation says where.</summary>
    Invalid,

    /// <summary>
    /// The search hit its state bound before deciding: neither a pass nor a failure, so a run reports it apart from
    /// both instead of hanging or guessing.
    /// </summary>
    TooLarge,
}
