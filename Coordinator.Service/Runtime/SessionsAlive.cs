namespace Coordinator.Service.Runtime;

/// <summary>
/// A gateway heard from these sessions: the leader's tracker pushes their deadlines on and answers with
/// <see cref="SessionsAliveAck"/>, and only then does the gateway acknowledge the heartbeats. So a client that
/// counts its deadline from a heartbeat it sent and saw acknowledged can never outlive its session on the server.
/// </summary>
internal sealed record SessionsAlive(long ReportId, IReadOnlyList<long> SessionIds);

internal sealed record SessionsAliveAck(long ReportId);
