namespace Coordinator.Client;

/// <summary>
/// Every failure of a call to the cluster: an error code the cluster answered, or a client-side one
/// (<see cref="ErrorCode.ConnectionLoss"/>, <see cref="ErrorCode.RequestRejected"/>). <see cref="Outcome"/> says
/// whether the operation was surely not applied or may have been. Subclasses exist for the codes callers usually catch.
/// </summary>
public class CoordinatorException : Exception
{
    public CoordinatorException(ErrorCode code, string? path)
        : this(code, path, path is null ? $"{code}" : $"{code}: {path}", OperationOutcome.NotApplied)
    {
    }

    /// <param name="reason">The cluster's words on what was wrong (e.g. which argument is out of which range).</param>
    internal CoordinatorException(ErrorCode code, string? path, string reason)
        : this(code, path, path is null ? $"{code}: {reason}" : $"{code}: {path}: {reason}", OperationOutcome.NotApplied)
    {
    }

    protected CoordinatorException(ErrorCode code, string? path, string message, OperationOutcome outcome)
        : base(message)
    {
        Code = code;
        Path = path;
        Outcome = outcome;
    }

    public ErrorCode Code { get; }

    /// <summary>The path the call was about, when it had one.</summary>
    public string? Path { get; }

    /// <summary>
    /// Whether the operation may have taken effect. A write the client had already sent once is
    /// <see cref="OperationOutcome.Unknown"/> whatever ended it, since an earlier attempt may have been applied.
    /// </summary>
    public OperationOutcome Outcome { get; internal set; }
}
