using Coordinator.Core.Consensus;

namespace Coordinator.Service.Runtime;

// The replica actor's own request/response protocol, used by the gateway and by tests: propose a command through the
// log, ask for a read index, and ask for the replica's status. Followers forward proposals and read index requests
// to the leader they know, keeping the sender.

/// <summary><paramref name="Forwarded"/> is set by a follower passing the request on, so it is never forwarded twice.</summary>
internal sealed record ProposeRequest(Command Command, bool Forwarded = false);

internal enum ProposeStatus : byte
{
    Applied = 0,
    NotLeader = 1,
    Overloaded = 2,
}

/// <summary>
/// <paramref name="Slot"/> is the slot the command was applied in (the client's new "last seen" point) and
/// <paramref name="Result"/> the state machine's encoded answer; both are empty unless Status is Applied.
/// </summary>
internal sealed record ProposeResponse(long SessionId, long Sequence, ProposeStatus Status, int LeaderHint, long Slot, byte[] Result);

/// <summary>
/// Asks the leader for a read index: the gateway may answer a sync once its replica has applied every slot below the
/// index it gets back. <paramref name="RequestId"/> is the asker's own; <paramref name="Forwarded"/> as for proposals.
/// </summary>
internal sealed record ReadIndexRequest(long RequestId, bool Forwarded = false);

/// <summary>Without <paramref name="Index"/>, no leader could confirm the read; ask again (<paramref name="LeaderHint"/> may lead).</summary>
internal sealed record ReadIndexResponse(long RequestId, long? Index, int LeaderHint);

internal sealed record StatusRequest
{
    public static readonly StatusRequest Instance = new();
}

/// <summary>
/// <paramref name="AppliedBelow"/> is what the state machine holds (slots still waiting behind a journal write are not
/// counted), so "applied everywhere" means every replica's state really reflects those slots.
/// </summary>
internal sealed record ReplicaStatus(
    int ReplicaId,
    ProposerRole Role,
    Ballot Ballot,
    Ballot Promised,
    int LeaderHint,
    long AppliedBelow,
    long KnownChosenBelow,
    int PendingCommands,
    long SnapshotBelow,
    int SnapshotsInstalled,
    long OversizeMessagesRefused);
