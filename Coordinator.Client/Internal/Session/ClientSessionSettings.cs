namespace Coordinator.Client;

/// <summary>What <see cref="ClientSessionCore"/> needs of the options, in the core's unit: milliseconds.</summary>
internal sealed record ClientSessionSettings(int Servers, long SessionTimeoutMs, long RequestTimeoutMs, long ConnectTimeoutMs, int MaxRequestBytes)
{
    /// <summary>Who the session logs in as; null for an anonymous session.</summary>
    public CoordinatorCredentials? Credentials { get; init; }

    public static ClientSessionSettings From(CoordinatorClientOptions options) => new(
        options.Servers.Count,
        (long)options.SessionTimeout.TotalMilliseconds,
        (long)options.RequestTimeout.TotalMilliseconds,
        (long)options.ConnectTimeout.TotalMilliseconds,
        options.MaxRequestBytes)
    {
        Credentials = options.Credentials,
    };

    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);

    public TimeSpan ConnectTimeout => TimeSpan.FromMilliseconds(ConnectTimeoutMs);
}
