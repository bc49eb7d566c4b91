namespace Coordinator.Service.Gateway;

/// <summary>Limits and timings of a replica's client gateway (<c>coordinator.gateway</c> in HOCON).</summary>
internal sealed record GatewaySettings(
    int MaxInFlightPerSession,
    int MaxRequestBytes,
    TimeSpan WriteRetryInterval,
    TimeSpan WriteGiveUpAfter,
    TimeSpan LivenessReportInterval);
