namespace Coordinator.Client;

/// <summary>What <see cref="ClientSessionCore"/> needs of the options, in the core's unit: milliseconds.</summary>
internal sealed record ClientSessionSettings(int Servers, long SessionTimeoutMs, long RequestTimeoutMs, long ConnectTimeoutMs, int MaxRequestBytes)
{
    public static ClientSessionSettings From(CoordinatorClientOptions options) => new(
        options.Servers.Count,
        (long)options.SessionTimeout.TotalMilliseconds,
        (long)options.RequestTimeout.TotalMilliseconds,
        (long)options.ConnectTimeout.TotalMilliseconds,
        options.MaxRequestBytes);

    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);

    public TimeSpan ConnectTimeout => TimeSpan.FromMilliseconds(ConnectTimeoutMs);
}
