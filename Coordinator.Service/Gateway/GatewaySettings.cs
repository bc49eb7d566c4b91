using Akka.Configuration;

namespace Coordinator.Service.Gateway;

/// <summary>Limits and timings of a replica's client gateway (<c>coordinator.gateway</c> in HOCON).</summary>
/// <param name="MaxInFlightPerSession">Writes and reads a session (or one client, over all its sessions) may have unanswered.</param>
/// <param name="MaxBytesInFlightPerSession">Encoded write bytes a session (or one client) may have unanswered.</param>
/// <param name="MaxWatchesPerSession">Watches one session may hold at this gateway.</param>
internal sealed record GatewaySettings(
    int MaxInFlightPerSession,
    int MaxRequestBytes,
    TimeSpan WriteRetryInterval,
    TimeSpan WriteGiveUpAfter,
    TimeSpan LivenessReportInterval,
    long MaxBytesInFlightPerSession,
    int MaxWatchesPerSession)
{
    /// <summary>The same values as <c>reference.conf</c>.</summary>
    public static GatewaySettings Default { get; } = new(
        MaxInFlightPerSession: 1000,
        MaxRequestBytes: 1088 * 1024,
        WriteRetryInterval: TimeSpan.FromMilliseconds(50),
        WriteGiveUpAfter: TimeSpan.FromSeconds(10),
        LivenessReportInterval: TimeSpan.FromMilliseconds(500),
        MaxBytesInFlightPerSession: 8L * 1024 * 1024,
        MaxWatchesPerSession: 10_000);

    /// <param name="section">The <c>coordinator.gateway</c> section.</param>
    /// <exception cref="ConfigurationException">A limit is not positive, or a request could never fit in flight.</exception>
    public static GatewaySettings Create(Config section)
    {
        var settings = new GatewaySettings(
            section.GetInt("max-in-flight-per-session", Default.MaxInFlightPerSession),
            (int)(section.GetByteSize("max-request-bytes") ?? Default.MaxRequestBytes),
            section.GetTimeSpan("write-retry-interval", Default.WriteRetryInterval),
            section.GetTimeSpan("write-give-up-after", Default.WriteGiveUpAfter),
            section.GetTimeSpan("liveness-report-interval", Default.LivenessReportInterval),
            section.GetByteSize("max-bytes-in-flight-per-session") ?? Default.MaxBytesInFlightPerSession,
            section.GetInt("max-watches-per-session", Default.MaxWatchesPerSession));
        if (settings.MaxInFlightPerSession <= 0 || settings.MaxRequestBytes <= 0 || settings.MaxWatchesPerSession <= 0)
        {
            throw new ConfigurationException(
                "coordinator.gateway: max-in-flight-per-session, max-request-bytes and max-watches-per-session must be positive.");
        }
        if (settings.MaxBytesInFlightPerSession < settings.MaxRequestBytes)
        {
            throw new ConfigurationException(
                $"coordinator.gateway.max-bytes-in-flight-per-session ({settings.MaxBytesInFlightPerSession}) must be at least max-request-bytes ({settings.MaxRequestBytes}).");
        }
        return settings;
    }
}
