using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coordinator.Client.Diagnostics;

/// <summary>
/// An application's health as far as its Coordinator session goes: Healthy while the session is attached to a server,
/// Degraded while it is disconnected and moving to another (it is still alive, but calls wait), Unhealthy once it
/// expired or the client was closed (its ephemeral nodes and locks are gone; the application needs a new client).
/// Register it with <c>services.AddHealthChecks().AddCheck&lt;CoordinatorHealthCheck&gt;("coordinator")</c> beside
/// <c>services.AddCoordinatorClient(...)</c>, or construct it over any client.
/// </summary>
public sealed class CoordinatorHealthCheck(CoordinatorClient client) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = client.State;
        var data = new Dictionary<string, object>
        {
            ["state"] = state.ToString(),
            ["sessionId"] = client.SessionId,
            ["lastSeenSlot"] = client.LastSeenSlot,
        };
        var result = state switch
        {
            ConnectionState.Connected or ConnectionState.Reconnected =>
                HealthCheckResult.Healthy($"session {client.SessionId:x} is attached", data),
            ConnectionState.Disconnected =>
                HealthCheckResult.Degraded($"session {client.SessionId:x} is disconnected; the client is looking for another server", data: data),
            _ => new HealthCheckResult(
                context.Registration?.FailureStatus ?? HealthStatus.Unhealthy,
                $"session {client.SessionId:x} is {state.ToString().ToLowerInvariant()}: its ephemeral nodes and locks are gone",
                data: data),
        };
        return Task.FromResult(result);
    }
}
