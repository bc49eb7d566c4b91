using System.Collections.Immutable;

namespace Coordinator.Core.Consensus;

// Message flow (names follow the paper; the pre-vote is Raft's, the rest is Multi-Paxos):
//
//   follower ──PreVote(b, round, applied)─────► replicas       would you promise b? only then does it raise its ballot
//   follower ◄─PreVoteGranted(b, round)──────── replicas       yes: no healthy leader heard for an election timeout,
//                                                              and the follower's state reaches the replica's log
//   candidate ──Prepare(b, fromSlot)──────────► acceptors      phase 1, once per leadership
//   candidate ◄─Promise(b, floor, votes, last)─ acceptors      (or Nack(promised)); not last: Prepare(b, after) asks for more
//   leader ────Accept(b, slot, batch, commit)─► acceptors      phase 2, per slot, pipelined
//   leader ◄───Accepted(b, slot)─────────────── acceptors      (or Nack(promised)); majority => chosen
//   leader ────Chosen(b, chosenBelow)─────────► learners       on progress and as the heartbeat
//   learner ───CatchUpRequest(fromSlot)───────► peer learner   a gap it cannot fill from its own votes
//   learner ◄──CatchUp(entries) | SnapshotChunk(offset, bytes)  the second when the slot was compacted away
//   learner ───SnapshotChunkRequest(offset)──► peer learner   one chunk at a time: the receiver's pull is the flow control
//   leader ────LeaderCheck(b, round)──────────► acceptors      read index: is b still the highest ballot?
//   leader ◄───LeaderCheckAck(b, round)──────── acceptors      (or Nack(promised)); majority => reads may go

/// <summary>Every Paxos message names the replica that sent it, so replies need no transport metadata.</summary>
internal abstract record PaxosMessage(int From);

internal sealed record Prepare(int From, Ballot Ballot, long FromSlot) : PaxosMessage(From);

/// <summary>
/// The acceptor's promise, with the votes it holds from the prepare's slot <paramref name="FromSlot"/> on, in slot
/// order, as many as fit one message. Unless <paramref name="IsLast"/>, more follow: the candidate asks for them with
/// a Prepare of the same ballot from the slot after the last vote here, and counts the promise only once it has all.
/// <paramref name="Floor"/> is the slot below which the acceptor has compacted its votes away: all of those are
/// chosen and applied somewhere durable.
/// </summary>
internal sealed record Promise(int From, Ballot Ballot, long Floor, long FromSlot, ImmutableArray<Vote> Votes, bool IsLast)
    : PaxosMessage(From);

internal sealed record Accept(int From, Ballot Ballot, long Slot, Batch Value, long ChosenBelow) : PaxosMessage(From);

internal sealed record Accepted(int From, Ballot Ballot, long Slot) : PaxosMessage(From);

/// <summary>A refusal: the sender has promised <paramref name="Promised"/>, higher than the ballot it was asked for.</summary>
internal sealed record Nack(int From, Ballot Promised) : PaxosMessage(From);

/// <summary>The leader's commit point, sent when it advances and as the heartbeat.</summary>
internal sealed record Chosen(int From, CommitPoint Commit) : PaxosMessage(From);

internal sealed record CatchUpRequest(int From, long FromSlot) : PaxosMessage(From);

internal sealed record CatchUp(int From, ImmutableArray<ChosenEntry> Entries) : PaxosMessage(From);

/// <summary>
/// One piece of a peer's state machine snapshot (the state after applying every slot below
/// <paramref name="AppliedBelow"/>): <paramref name="Data"/> is its bytes from <paramref name="Offset"/> on, of
/// <paramref name="TotalBytes"/> in all, whose <see cref="SnapshotChecksum"/> is <paramref name="Checksum"/>.
/// </summary>
internal sealed record SnapshotChunk(
    int From, long AppliedBelow, long LastTimestamp, long TotalBytes, long Checksum, long Offset, byte[] Data) : PaxosMessage(From);

/// <summary>
/// Asks for the chunk of the snapshot at <paramref name="AppliedBelow"/> that starts at <paramref name="Offset"/>; a peer
/// that holds a newer snapshot answers with that one's first chunk instead.
/// </summary>
internal sealed record SnapshotChunkRequest(int From, long AppliedBelow, long Offset) : PaxosMessage(From);

internal sealed record ChosenEntry(long Slot, Batch Value);

/// <summary>
/// Asks an acceptor whether it has promised any ballot above <paramref name="Ballot"/>; a majority answering no,
/// after a read arrived, proves no other leader chose anything the read must see.
/// </summary>
internal sealed record LeaderCheck(int From, Ballot Ballot, long Round) : PaxosMessage(From);

internal sealed record LeaderCheckAck(int From, Ballot Ballot, long Round) : PaxosMessage(From);

/// <summary>
/// Asks whether the receiver would promise <paramref name="Ballot"/>, before the sender raises any ballot: a replica
/// cut off from the others never gets a majority, so it cannot come back with a ballot that deposes a healthy leader.
/// <paramref name="AppliedBelow"/> is how far the sender's state machine has got: a replica whose log was compacted
/// past it says no, since that leader could propose nothing until it had installed a snapshot (hundreds of MB for a
/// big state) while every client waited.
/// </summary>
internal sealed record PreVote(int From, Ballot Ballot, long Round, long AppliedBelow) : PaxosMessage(From);

/// <summary>
/// Yes to a <see cref="PreVote"/>: the sender has heard no healthy leader for an election timeout, and its log still
/// reaches the candidate's state. A no is silence.
/// </summary>
internal sealed record PreVoteGranted(int From, Ballot Ballot, long Round) : PaxosMessage(From);
