using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The encoded request is larger than <see cref="CoordinatorClientOptions.MaxRequestBytes"/> (the gateways' limit).
/// The client refused it before sending anything, so nothing was applied; the session's later calls go on.
/// </summary>
public sealed class RequestTooLargeException(int size, int limit) : CoordinatorException(ErrorCode.DataTooLarge, null)
{
    /// <summary>The encoded request's size in bytes.</summary>
    public int Size { get; } = size;

    /// <summary>The largest encoded request the client sends.</summary>
    public int Limit { get; } = limit;

    public override string Message => $"The request encodes to {Size} bytes, over the {Limit}-byte limit; nothing was sent.";
}
