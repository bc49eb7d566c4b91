using Coordinator.Client;

namespace Coordinator.Core.Protocol;

// The client protocol between Coordinator.Client and a replica's gateway (actor path /user/gateway), over Akka.Remote.
//
//   client ──WriteRequest(session, sequence, transaction bytes)──► gateway ──► leader's log
//   client ◄─WriteResponse(slot, result bytes)─────────────────── gateway, once its replica applied that slot
//   client ──ReadRequest(lastSeenSlot, kind, path, watch)────────► gateway: served from the local applied state,
//   client ◄─ReadResponse(slot, code, stat, data, children)──────── never older than lastSeenSlot
//   client ──AttachRequest(session, secret, lastSeenSlot, watches, awaited locks)► gateway: resume a session here
//   client ◄─ResumeStarted, missed watch events, AttachResponse ──── gateway
//   client ──Heartbeat(session)──► gateway ──► leader's session tracker;  client ◄─HeartbeatAck
//   client process ──SessionsHeartbeat(id, sessions)──► gateway ──► leader;  ◄─SessionsHeartbeatAck / Refused
//   client ◄─WatchNotification / LockGrantedNotification ───────── gateway, always before any response that
//                                                                   could show the change
//   client ◄─RequestRejected(requestId, code, reason) ──────────── protocol-level refusals
//
// Sessions are created through the log like any write: the first WriteRequest of a session carries a CreateSession
// transaction with a session id and secret the client drew at random. Writes of one session are sent one at a time
// (the exactly-once table remembers one sequence per session); reads may be pipelined.

internal abstract record ClientMessage
{
    /// <summary>Bumped on an incompatible change; a gateway refuses versions it does not speak.</summary>
    public const byte ProtocolVersion = 1;
}

internal sealed record WriteRequest(long RequestId, long SessionId, long Sequence, byte[] Transaction) : ClientMessage;

internal sealed record WriteResponse(long RequestId, long Slot, byte[] Result) : ClientMessage;

internal enum ReadKind : byte
{
    GetData = 0,
    Exists = 1,
    GetChildren = 2,

    /// <summary>The node's ACL: the answer's data is <see cref="AclCodec.EncodeRead"/>'s bytes (ACL version, then ACL).</summary>
    GetAcl = 3,
}

/// <summary>
/// A read of the state this gateway's replica applied, at least up to <paramref name="LastSeenSlot"/>. A
/// <paramref name="Linearizable"/> read first takes a read index from the leader and waits for the replica to apply
/// everything below it, as a sync followed by the read would, in one request.
/// </summary>
internal sealed record ReadRequest(long RequestId, long SessionId, long LastSeenSlot, ReadKind Kind, string Path, bool Watch, bool Linearizable = false) : ClientMessage;

/// <summary><paramref name="Slot"/> is the slot of the state the read saw; the client's last-seen point moves to it.</summary>
internal sealed record ReadResponse(long RequestId, long Slot, ErrorCode Code, Stat Stat, byte[] Data, IReadOnlyList<string> Children) : ClientMessage;

internal enum WatchKind : byte
{
    /// <summary>One-shot: fires once on the node's change or deletion (getData) or creation (exists).</summary>
    Data = 0,

    /// <summary>One-shot: fires once when the node's children change or it is deleted (getChildren).</summary>
    Children = 1,

    /// <summary>Stays until removed: every change of the node.</summary>
    Persistent = 2,

    /// <summary>Stays until removed: every change of the node and of every node below it.</summary>
    PersistentRecursive = 3,
}

internal sealed record WatchRegistration(string Path, WatchKind Kind);

/// <summary>
/// A watch the client holds, and the position of the last event it has seen, or would have seen, for it.
/// <paramref name="NodeExisted"/>: a one-shot watch set by a read that found its node (getData, or exists on an
/// existing node), not an exists-watch waiting for a create; if the node is gone, it was deleted meanwhile.
/// </summary>
internal sealed record ResumedWatch(WatchRegistration Watch, EventPosition SeenThrough, bool NodeExisted = false);

/// <summary>
/// Attach a live session to this gateway (after connecting or failing over). The gateway checks the secret, sends
/// each re-registered watch the events it missed after its <see cref="ResumedWatch.SeenThrough"/> position (or a
/// Compacted event when its history no longer reaches back that far), and sends a
/// <see cref="LockGrantedNotification"/> for each of <paramref name="AwaitedLocks"/> the session already holds: a
/// grant applied while the session was between gateways reached no one.
/// </summary>
internal sealed record AttachRequest(
    long RequestId, long SessionId, long Secret, long LastSeenSlot, IReadOnlyList<ResumedWatch> Watches, IReadOnlyList<string> AwaitedLocks)
    : ClientMessage;

internal sealed record AttachResponse(long RequestId, long Slot, int TimeoutMs) : ClientMessage;

/// <summary>
/// The gateway inspected this attach and sends, from here on, what the session's watches missed and then their live
/// events. A watch notification it sent before this marker came from an attachment the client had left (the session
/// stays attached at a gateway until it hears otherwise), is covered by the replay that follows, and may be newer than
/// the first replayed events: the client drops it, so it cannot move a watch past events still on their way.
/// </summary>
internal sealed record ResumeStarted(long RequestId) : ClientMessage;

/// <summary>
/// Registers a watch. With <paramref name="After"/> the gateway first sends every change after that position from its
/// history (a client watching from a slot it read), or, when its history no longer reaches back that far, answers
/// with a Compacted acknowledgement.
/// </summary>
internal sealed record AddWatchRequest(long RequestId, long SessionId, WatchRegistration Watch, EventPosition? After = null) : ClientMessage;

internal sealed record RemoveWatchRequest(long RequestId, long SessionId, WatchRegistration Watch) : ClientMessage;

/// <summary>
/// The watch is registered: it sees every event after (<paramref name="Slot"/>, <paramref name="Index"/>), and, for a
/// watch asked from an earlier position, the history's events since that position, sent right after this answer.
/// <paramref name="Compacted"/>: the history no longer reaches back to the position asked for; nothing was replayed.
/// </summary>
internal sealed record WatchAck(long RequestId, long Slot, int Index, bool Compacted = false) : ClientMessage;

internal sealed record Heartbeat(long SessionId) : ClientMessage;

internal sealed record HeartbeatAck(long SessionId, long Slot) : ClientMessage;

/// <summary>
/// One heartbeat for every session a client process has open at this gateway: the whole list, each time (a lost
/// heartbeat then costs nothing to repair, where a change since the last one would need a resynchronisation). The
/// gateway takes it only for sessions attached here by the same client process as the heartbeat's sender; at most
/// <see cref="MaxSessions"/> sessions, so a process with more sends several, each with its own id.
/// </summary>
internal sealed record SessionsHeartbeat(long HeartbeatId, IReadOnlyList<long> SessionIds) : ClientMessage
{
    /// <summary>8 bytes a session: 64 KiB a message, far under any frame, and a gateway's work per message bounded.</summary>
    public const int MaxSessions = 8192;
}

/// <summary>The leader heard these sessions of heartbeat <paramref name="HeartbeatId"/>: each may count from when it was sent.</summary>
internal sealed record SessionsHeartbeatAck(long HeartbeatId, long Slot, IReadOnlyList<long> SessionIds) : ClientMessage;

/// <summary>
/// Sessions of heartbeat <paramref name="HeartbeatId"/> the gateway did not take, for <paramref name="Reason"/>:
/// <see cref="RejectReason.UnknownSession"/> (not attached here) or <see cref="RejectReason.NotSessionOwner"/>
/// (attached here by another client process). Sent to the heartbeat's sender only.
/// </summary>
internal sealed record SessionsHeartbeatRefused(long HeartbeatId, RejectReason Reason, IReadOnlyList<long> SessionIds) : ClientMessage;

/// <summary>
/// Uses the public <see cref="Coordinator.Client.WatchEventType"/>: the wire carries exactly what a watcher sees. A
/// session gets one notification per event, in position order, at most once per gateway; a
/// <see cref="WatchEventType.Compacted"/> one names the watch's own path and the gateway's position when it was sent.
/// </summary>
internal sealed record WatchNotification(long SessionId, WatchEventType Type, string Path, long Slot, int Index) : ClientMessage
{
    public EventPosition Position => new(Slot, Index);
}

internal sealed record LockGrantedNotification(long SessionId, string Path, long Token, long Slot) : ClientMessage;

internal sealed record LockLostNotification(long SessionId, string Path, long Token, long Slot) : ClientMessage;

/// <summary>The session ended (expired or closed) as of <paramref name="Slot"/>: its ephemerals and locks are gone.</summary>
internal sealed record SessionEndedNotification(long SessionId, long Slot) : ClientMessage;

internal enum RejectReason : byte
{
    UnknownSession = 1,
    WrongSecret = 2,
    TooManyInFlight = 3,
    RequestTooLarge = 4,
    NoQuorum = 5,
    UnsupportedVersion = 6,

    /// <summary>The request names a session this client has not attached (or created) at this gateway.</summary>
    NotSessionOwner = 7,

    /// <summary>Not a client operation: system transactions (expiry, leader time) come only from the leader.</summary>
    NotAllowed = 8,

    /// <summary>The session holds as many watches at this gateway as it may.</summary>
    TooManyWatches = 9,

    /// <summary>The session may not read the node it asked to watch (READ is missing from the node's ACL).</summary>
    NoAuth = 10,
}

internal sealed record RequestRejected(long RequestId, RejectReason Reason, string Message) : ClientMessage;

/// <summary>Asks a gateway about its replica; needs no session, so it works while the cluster has no quorum.</summary>
internal sealed record StatusQuery(long RequestId) : ClientMessage;

internal sealed record ServerStatus(
    long RequestId,
    int ReplicaId,
    string Role,
    string Ballot,
    int LeaderId,
    long AppliedBelow,
    long KnownChosenBelow,
    int AttachedSessions,
    int Watches,
    IReadOnlyList<string> Members,
    string ClusterId) : ClientMessage;

/// <summary>
/// Asks a gateway for the next piece of a backup (<c>coord snapshot save</c>); needs no session. Without
/// <paramref name="AppliedBelow"/> the gateway takes a new snapshot of its replica's state; with it, the gateway
/// answers from the snapshot it took at that slot, or starts over with a new one (offset 0, another slot) when it no
/// longer holds that one, so a backup is never assembled from two snapshots.
/// </summary>
internal sealed record BackupChunkRequest(long RequestId, long? AppliedBelow, long Offset) : ClientMessage;

/// <summary>
/// A piece of the state machine's snapshot that holds every slot below <paramref name="AppliedBelow"/>:
/// <paramref name="Data"/> from <paramref name="Offset"/>, of <paramref name="TotalBytes"/> in all whose SHA-256 is
/// <paramref name="Sha256"/>. <paramref name="LastTimestamp"/> is the leader time of the last slot applied.
/// </summary>
internal sealed record BackupChunkResponse(
    long RequestId, string ClusterId, long AppliedBelow, long LastTimestamp, long TotalBytes, byte[] Sha256, long Offset, byte[] Data)
    : ClientMessage;
