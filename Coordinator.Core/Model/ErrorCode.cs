namespace Coordinator.Client;

/// <summary>
/// Outcome of one command. The tree codes mirror ZooKeeper's KeeperException codes so a ZooKeeper user meets
/// the same error for the same mistake; the lock and sequencing codes are ours.
/// </summary>
public enum ErrorCode : byte
{
    Ok = 0,
    NoNode,
    NodeExists,
    BadVersion,
    NotEmpty,
    NoChildrenForEphemerals,
    InvalidPath,
    DataTooLarge,

    /// <summary>A malformed argument that is not a path: unknown kind, TTL out of range, ops not allowed in a multi.</summary>
    BadArguments,

    /// <summary>The session does not exist (never created, closed or expired).</summary>
    SessionExpired,

    /// <summary>Reserved for the gateway: the session is attached to another replica. Apply never returns it.</summary>
    SessionMoved,

    /// <summary>CreateSession for an id that is already live with a different secret or a newer sequence.</summary>
    SessionExists,

    /// <summary>The command's sequence is below the last one applied for its session: an old retry.</summary>
    StaleSequence,

    /// <summary>A client sent a system command, or the system (session 0) sent a client command.</summary>
    NotAllowed,

    /// <summary>ZooKeeper's code for the ops after the failing one in a failed multi.</summary>
    RuntimeInconsistency,

    NotLockHolder,
    NotLockWaiter,

    /// <summary>Acquire without wait on a lock that cannot be granted now.</summary>
    LockBusy,

    /// <summary>The session already holds or already waits for this lock.</summary>
    LockAlreadyRequested,

    /// <summary>RenewLease on a lock that was taken without a lease.</summary>
    NotALease,

    /// <summary>CheckToken: the token is not one of the current holders'.</summary>
    StaleToken,

    /// <summary>The learner applied a slot below one already applied; nothing changed.</summary>
    SlotRegression,

    /// <summary>A bug guard: Apply caught an exception. Every replica hits it identically, so state stays equal.</summary>
    SystemError,

    /// <summary>Client side only, never in a result: no server answered in time (ZooKeeper's CONNECTIONLOSS).</summary>
    ConnectionLoss,

    /// <summary>Client side only, never in a result: a gateway or the client itself refused the request unrun.</summary>
    RequestRejected,

    /// <summary>ZooKeeper's NOAUTH: the session's identity lacks the permission the operation needs; nothing changed.</summary>
    NoAuth,

    /// <summary>ZooKeeper's AUTHFAILED: the credentials were wrong, or an anonymous session is not allowed; no session.</summary>
    AuthFailed,

    /// <summary>ZooKeeper's INVALIDACL: an empty ACL, an unknown scheme, or <c>auth</c> from a session with no user.</summary>
    InvalidAcl,
}
