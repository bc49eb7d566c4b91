namespace Coordinator.Service.Runtime;

/// <summary>A gateway heard from these sessions since its last report: the leader's tracker pushes their deadlines on.</summary>
internal sealed record SessionsAlive(IReadOnlyList<long> SessionIds);
