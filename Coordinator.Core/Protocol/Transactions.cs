using Coordinator.Client;

namespace Coordinator.Core.Protocol;

/// <summary>
/// A log entry's payload: one already-decided change to the state machine, applied with the (sessionId, sequence)
/// of the command that carries it. Session 0 is the system: only <see cref="TouchSession"/>,
/// <see cref="ExpireSession"/>, <see cref="Tick"/> and <see cref="Sync"/> may come from it, and only it may send
/// the first three. Byte arrays are owned by the state machine once applied: do not mutate them afterwards.
/// </summary>
internal abstract record Transaction;

/// <summary>
/// Sent with the new session's id as sessionId (the gateway picks a unique id), so a retried create is
/// deduplicated like any command. The secret lets a gateway check a reconnecting client. <paramref name="User"/> is
/// the identity a gateway verified (from <see cref="CreateSessionAs"/>); a gateway refuses a client's own CreateSession
/// that names one, so the log believes it.
/// </summary>
internal sealed record CreateSession(int TimeoutMs, long Secret, string? User = null) : Transaction;

/// <summary>
/// A client's request for a session as <paramref name="User"/>. Never in the log: the gateway checks the password
/// against the replicated user table (or the configured super user) and proposes <see cref="CreateSession"/> with the
/// user instead, or answers AuthFailed.
/// </summary>
internal sealed record CreateSessionAs(int TimeoutMs, long Secret, string User, string Password) : Transaction;

/// <summary>
/// A client's request for a session as the subject of its certificate, by proof of possession. Never in the log: the
/// gateway checks that <paramref name="Certificate"/> (DER) chains to the cluster's CA, that <paramref name="Signature"/>
/// is its key's over <see cref="CertifiedSessionProof.SignedBytes"/> (which binds the session's id, timeout and secret,
/// the gateway it was sent to, the time it was made and a fresh nonce), and that the nonce was not seen before, and then
/// proposes <see cref="CreateSession"/> naming the certificate's principal, or answers AuthFailed.
/// </summary>
internal sealed record CreateCertifiedSession(
    int TimeoutMs, long Secret, byte[] Certificate, string Gateway, long IssuedAtMs, byte[] Nonce, byte[] Signature) : Transaction;

/// <summary>
/// An open session's request to log in as <paramref name="User"/> (ZooKeeper's <c>addauth digest user:password</c>).
/// Never in the log: the gateway checks the password as for <see cref="CreateSessionAs"/> and proposes
/// <see cref="AuthenticateSession"/> instead, or answers AuthFailed.
/// </summary>
internal sealed record AuthenticateSessionAs(string User, string Password) : Transaction;

/// <summary>
/// Gives an open anonymous session the user its gateway verified (from <see cref="AuthenticateSessionAs"/>); a gateway
/// refuses a client's own. A session has one identity: a session of another user or certificate gets BadArguments, one
/// of this user already is Ok.
/// </summary>
internal sealed record AuthenticateSession(string User) : Transaction;

/// <summary>
/// A client's request to add a user or change its password. Never in the log: the gateway draws a salt, computes the
/// slow hash and proposes <see cref="StoreUser"/> instead, so neither the password nor the hashing reaches Apply.
/// </summary>
internal sealed record SetPassword(string Name, string Password) : Transaction;

/// <summary>Adds or replaces a user with a digest the gateway computed. Only the super user may.</summary>
internal sealed record StoreUser(string Name, StateMachine.PasswordDigest Digest) : Transaction;

/// <summary>Only the super user may. Sessions already open as the user keep their identity until they end.</summary>
internal sealed record RemoveUser(string Name) : Transaction;

/// <summary>Replaces a node's ACL; needs ADMIN on it. ExpectedAclVersion -1 matches any (ZooKeeper's Stat.aversion).</summary>
internal sealed record SetAcl(string Path, IReadOnlyList<AclEntry> Acl, int ExpectedAclVersion = -1) : Transaction;

internal sealed record CloseSession : Transaction
{
    public static CloseSession Instance { get; } = new();
}

/// <summary>System: the leader's tracker saw the session alive; moves its replicated deadline.</summary>
internal sealed record TouchSession(long SessionId) : Transaction;

/// <summary>System: the leader's tracker decided the session missed its deadline.</summary>
internal sealed record ExpireSession(long SessionId) : Transaction;

/// <summary>
/// System: carries the leader's time forward when no client writes do. Time-driven work (TTL node reaping,
/// lease lapse, end of lock-delay) runs at the start of every Apply with that slot's timestamp, so without
/// traffic nothing would lapse; the leader proposes a Tick periodically (about every second) to bound the lag.
/// </summary>
internal sealed record Tick : Transaction
{
    public static Tick Instance { get; } = new();
}

/// <summary>Create a node. TtlMs is required for TTL kinds and refused for others; CreateParents makes missing
/// ancestors as persistent nodes (Curator's creatingParentsIfNeeded), with the same ACL. A null Acl is the configured
/// default one.</summary>
internal sealed record Create(
    string Path, byte[] Data, NodeKind Kind, long? TtlMs = null, bool CreateParents = false, IReadOnlyList<AclEntry>? Acl = null)
    : Transaction;

/// <summary>ExpectedVersion -1 matches any version, as in ZooKeeper.</summary>
internal sealed record Delete(string Path, int ExpectedVersion = -1) : Transaction;

internal sealed record SetData(string Path, byte[] Data, int ExpectedVersion = -1) : Transaction;

internal sealed record Check(string Path, int ExpectedVersion = -1) : Transaction;

/// <summary>All-or-nothing: only Create, Delete, SetData and Check may appear in Ops.</summary>
internal sealed record Multi(IReadOnlyList<Transaction> Ops) : Transaction;

/// <summary>A no-op through the log: when a replica applies it, it has caught up with everything before it.</summary>
internal sealed record Sync : Transaction
{
    public static Sync Instance { get; } = new();
}

/// <summary>
/// Take a lock (lock paths are a namespace of their own, not tree nodes). Wait queues the session FIFO when the
/// lock cannot be granted now. LeaseTtlMs makes the grant a lease: it outlives the session and lapses unless renewed.
/// MaxCount makes the path a counting semaphore: up to that many sessions hold it at once (Mode must be Shared),
/// and every Acquire of it must name the same count.
/// </summary>
internal sealed record Acquire(string Path, LockMode Mode, bool Wait, long? LeaseTtlMs = null, int? MaxCount = null) : Transaction;

internal sealed record Release(string Path) : Transaction;

/// <summary>A waiter gives up its place in the queue; an upgradeable holder waiting to upgrade stops waiting.</summary>
internal sealed record Withdraw(string Path) : Transaction;

/// <summary>
/// The Upgradeable holder of the lock becomes its Exclusive holder, with a new fencing token, once no other session
/// holds it. Wait keeps the upgrade pending until then (nothing else is granted meanwhile); a Withdraw gives up the
/// upgrade and keeps the upgradeable hold.
/// </summary>
internal sealed record Upgrade(string Path, bool Wait) : Transaction;

internal sealed record RenewLease(string Path) : Transaction;

/// <summary>Ok when Token belongs to a current holder of the lock, StaleToken otherwise.</summary>
internal sealed record CheckToken(string Path, long Token) : Transaction;
