namespace Coordinator.Client.Diagnostics;

/// <summary>
/// Names to hand OpenTelemetry (or any <see cref="System.Diagnostics.Metrics.MeterListener"/> and
/// <see cref="System.Diagnostics.ActivityListener"/>): <c>builder.AddMeter(CoordinatorDiagnostics.MeterName)</c> and
/// <c>builder.AddSource(CoordinatorDiagnostics.ActivitySourceName)</c>. Nothing is measured or traced until someone
/// listens.
/// </summary>
/// <remarks>
/// Metrics: <c>coordinator.client.operations</c> (calls by operation and result), <c>coordinator.client.operation.duration</c>
/// (seconds, by operation), <c>coordinator.client.sessions</c> (clients by connection state: connected, disconnected),
/// <c>coordinator.client.state.changes</c> (by the state entered). Traces: one client span per call, named
/// <c>coordinator {operation}</c>, with the path, the session id and, on failure, the error code.
/// </remarks>
public static class CoordinatorDiagnostics
{
    public const string MeterName = "Coordinator.Client";

    public const string ActivitySourceName = "Coordinator.Client";
}
