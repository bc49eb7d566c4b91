namespace Coordinator.Faults.History;

/// <summary>
/// One client operation of a fault run: what was asked, when (monotonic nanoseconds of the harness process), and how it
/// ended. <see cref="Function"/> is workload specific: "read", "write", "cas" on registers; "acquire", "release",
/// "fenced-write" on locks; "add", "read-all" on sets; "open", "close", "expire", "check" on ephemerals.
/// <see cref="Value"/> carries the argument (the value written, the element added), <see cref="Expected"/> the
/// compare-and-set's expected value, <see cref="Result"/> what an Ok operation returned (the value read, the fencing
/// token granted); null where it does not apply. A value is an integer so the checkers stay exact and cheap.
/// </summary>
public sealed record Operation(
    long Id,
    int Client,
    string Function,
    string Key,
    long? Value,
    long? Expected,
    long InvokedNanos,
    long? CompletedNanos,
    Outcome Outcome,
    long? Result,
    string? Error)
{
    /// <summary>An operation still outstanding when the run ended completes at infinity as <see cref="Outcome.Unknown"/>.</summary>
    public long CompletedOrEndNanos => CompletedNanos ?? long.MaxValue;
}
