using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Limits and timings of the replicated state machine. Every replica must run with the same values: they decide
/// outcomes, so replicas with different settings would diverge.
/// </summary>
internal sealed record StateMachineSettings
{
    public static StateMachineSettings Default { get; } = new();

    /// <summary>Largest node payload; ZooKeeper's jute.maxbuffer default is 1 MiB, so clients expect the same.</summary>
    public int MaxDataBytes { get; init; } = 1024 * 1024;

    /// <summary>Longest path in UTF-16 chars, after a sequential suffix is appended.</summary>
    public int MaxPathLength { get; init; } = 1024;

    /// <summary>ZooKeeper's defaults with its 2 s tick: min = 2 ticks, max = 20 ticks.</summary>
    public int MinSessionTimeoutMs { get; init; } = 4_000;

    public int MaxSessionTimeoutMs { get; init; } = 40_000;

    /// <summary>
    /// How long a lock stays ungrantable after its holder vanished (session expiry or lease lapse), so a holder
    /// that still believes it holds the lock has time to notice before anyone else acts. Chubby uses up to a minute.
    /// </summary>
    public long LockDelayMs { get; init; } = 5_000;

    /// <summary>ZooKeeper's cap on TTL nodes (40 bits of milliseconds).</summary>
    public long MaxNodeTtlMs { get; init; } = 0xFF_FFFF_FFFFL;

    public long MaxLeaseTtlMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>
    /// How long an ended session's id stays refused to a CreateSession (see the EndedSessions part of the state
    /// machine); ten of the longest session timeouts by default.
    /// </summary>
    public long EndedSessionRetentionMs { get; init; } = 400_000;

    /// <summary>Operations in one multi; bounds the work a single slot can demand.</summary>
    public int MaxMultiOps { get; init; } = 1024;

    /// <summary>
    /// The user whose sessions pass every ACL check and who alone may add and remove users
    /// (<c>coordinator.security.super-user</c>); null for none.
    /// </summary>
    public string? SuperUser { get; init; }

    /// <summary>The ACL of a node created without one (<c>coordinator.security.default-acl</c>); open by default.</summary>
    public NodeAcl DefaultAcl { get; init; } = NodeAcl.Open;
}
