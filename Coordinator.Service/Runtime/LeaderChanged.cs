namespace Coordinator.Service.Runtime;

/// <summary>
/// Published on the replica's event stream when it learns of a new leader. Writes and liveness reports forwarded to
/// the old leader may have died with it; the gateway sends them again at once instead of waiting for its clients to
/// time out (exactly-once makes a command chosen twice harmless).
/// </summary>
internal sealed record LeaderChanged(int LeaderId);
