namespace Coordinator.Service.Gateway;

/// <summary>A client write's exactly-once identity: the gateway keeps one attempt per key.</summary>
internal readonly record struct WriteKey(long SessionId, long Sequence);
