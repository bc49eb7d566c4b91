using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>The cluster answered a call with an error code. Subclasses exist for the codes callers usually catch.</summary>
public class CoordinatorException : Exception
{
    public CoordinatorException(ErrorCode code, string? path)
        : base(path is null ? $"{code}" : $"{code}: {path}")
    {
        Code = code;
        Path = path;
    }

    public ErrorCode Code { get; }

    /// <summary>The path the call was about, when it had one.</summary>
    public string? Path { get; }
}
