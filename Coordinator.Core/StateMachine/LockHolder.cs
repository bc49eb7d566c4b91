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

    /// <summary>Slot time of the grant or the last renewal.</summary>
    public long RenewedAt { get; set; } = grantedAt;

    /// <summary>A lease lapses once slot time passes RenewedAt + LeaseTtlMs.</summary>
    public long LeaseDue => LeaseTtlMs is { } ttl ? Saturating.Add(Saturating.Add(RenewedAt, ttl), 1) : long.MaxValue;
}
