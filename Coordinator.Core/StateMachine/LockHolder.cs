using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>A grant. A lease holder stays after its session ends, until released or lapsed.</summary>
internal sealed class LockHolder(long sessionId, LockMode mode, long token, long? leaseTtlMs, long grantedAt)
{
    public long SessionId { get; } = sessionId;

    public LockMode Mode { get; } = mode;

    public long Token { get; } = token;

    public long? LeaseTtlMs { get; } = leaseTtlMs;

    /// <summary>Duration-clock time of the grant or the last renewal; a lease lapses once its TTL has passed since.</summary>
    public long RenewedAt { get; set; } = grantedAt;
}
