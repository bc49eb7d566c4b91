namespace Coordinator.Faults.History;

/// <summary>
/// How an operation ended, as the client saw it. <see cref="Unknown"/> (timeout, lost connection) means it may or may
/// not have taken effect, at any time after its invocation: the checkers must allow both.
/// </summary>
public enum Outcome
{
    Ok,
    Failed,
    Unknown,
}
