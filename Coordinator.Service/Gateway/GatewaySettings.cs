using Akka.Configuration;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>Limits and timings of a replica's client gateway (<c>coordinator.gateway</c> in HOCON).</summary>
/// <param name="MaxInFlightPerSession">Writes and reads a session (or one client, over all its sessions) may have unanswered.</param>
/// <param name="MaxBytesInFlightPerSession">Encoded write bytes a session (or one client) may have unanswered.</param>
/// <param name="MaxWatchesPerSession">Watches one session may hold at this gateway.</param>
/// <param name="WatchHistoryChanges">Node changes kept for watches that resume here after a failover.</param>
/// <param name="WatchHistoryBytes">The same history's bound in (estimated) bytes.</param>
internal sealed record GatewaySettings(
    int MaxInFlightPerSession,
    int MaxRequestBytes,
    TimeSpan WriteRetryInterval,
    TimeSpan WriteGiveUpAfter,
    TimeSpan LivenessReportInterval,
    long MaxBytesInFlightPerSession,
    int MaxWatchesPerSession,
    int WatchHistoryChanges,
    long WatchHistoryBytes)
{
    /// <summary>Authentication: anonymous sessions, password hashing, the super user, the backoff of failed logins.</summary>
    public SecuritySettings Security { get; init; } = SecuritySettings.Default;

    /// <summary>Sessions one liveness report to the leader names, at most; more heard in one interval go in several.</summary>
    public int MaxSessionsPerReport { get; init; } = 8192;

    /// <summary>The settings of the embedded <c>reference.conf</c>, its only source of defaults.</summary>
    public static GatewaySettings Default { get; } = Create(ReplicaHost.ReferenceConfig.GetConfig("coordinator.gateway"));

    /// <param name="section">The <c>coordinator.gateway</c> section.</param>
    /// <exception cref="ConfigurationException">A key is missing, a limit is not positive, or a request could never fit in flight.</exception>
    public static GatewaySettings Create(Config section)
    {
        var gateway = new HoconSection(section, "coordinator.gateway");
        var settings = new GatewaySettings(
            gateway.Int("max-in-flight-per-session"),
            gateway.Int32Bytes("max-request-bytes"),
            gateway.Duration("write-retry-interval"),
            gateway.Duration("write-give-up-after"),
            gateway.Duration("liveness-report-interval"),
            gateway.Bytes("max-bytes-in-flight-per-session"),
            gateway.Int("max-watches-per-session"),
            gateway.Int("watch-history-changes"),
            gateway.Bytes("watch-history-bytes"))
        {
            MaxSessionsPerReport = gateway.Int("max-sessions-per-report"),
        };
        if (settings.MaxInFlightPerSession <= 0 || settings.MaxRequestBytes <= 0 || settings.MaxWatchesPerSession <= 0
            || settings.WatchHistoryChanges <= 0 || settings.WatchHistoryBytes <= 0 || settings.MaxSessionsPerReport <= 0)
        {
            throw new ConfigurationException(
                "coordinator.gateway: max-in-flight-per-session, max-request-bytes, max-watches-per-session, watch-history-changes, watch-history-bytes and max-sessions-per-report must be positive.");
        }
        if (settings.MaxBytesInFlightPerSession < settings.MaxRequestBytes)
        {
            throw new ConfigurationException(
                $"coordinator.gateway.max-bytes-in-flight-per-session ({settings.MaxBytesInFlightPerSession}) must be at least max-request-bytes ({settings.MaxRequestBytes}).");
        }
        return settings;
    }
}
