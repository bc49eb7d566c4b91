namespace Coordinator.Core.Consensus;

/// <summary>
/// Everything one call into the core asks its shell to do: persist, send, deliver to the state machine. The core
/// itself says which messages may leave before the journal write and which must wait (etcd keeps msgsAfterAppend in
/// its core for the same reason), so the shell and the simulation obey one rule instead of re-deriving it.
/// </summary>
/// <remarks>
/// <see cref="Send"/> holds messages that promise nothing about this replica's journal: a leader's Accept (its
/// ballot's promise was durable before it could lead), commit points, catch-up traffic and snapshot chunks (chosen values,
/// durable at a majority), LeaderCheck and its Ack (which only says no higher ballot is promised in memory, and memory is never
/// behind the journal). <see cref="SendAfterPersist"/> holds the rest, which wait until this outbox's writes and every
/// earlier outbox's writes are durable: an acceptor's Promise, Accepted and Nack (replying before the write would let
/// a crash forget a promise already relied on; an Accepted for a vote still being written must not overtake that
/// write either), and Prepare. Read index answers promise nothing about the journal. Deliveries are chosen values
/// (durable at a majority): the shell may apply them at once, as long as it applies every outbox's deliveries in the
/// order the outboxes were produced.
/// </remarks>
internal sealed class Outbox
{
    public List<AcceptorEvent> Persist { get; } = [];

    /// <summary>Messages that may leave at once, before any pending journal write completes.</summary>
    public List<Envelope> Send { get; } = [];

    /// <summary>Messages that may leave only once this outbox's writes, and all earlier ones, are durable.</summary>
    public List<Envelope> SendAfterPersist { get; } = [];

    public List<Delivery> Deliver { get; } = [];

    /// <summary>Answers to <see cref="ReplicaCore.ReadIndex"/>; they promise nothing about the journal.</summary>
    public List<ReadIndexAnswer> ReadIndexes { get; } = [];

    public bool IsEmpty =>
        Persist.Count == 0 && Send.Count == 0 && SendAfterPersist.Count == 0 && Deliver.Count == 0 && ReadIndexes.Count == 0;

    public void Clear()
    {
        Persist.Clear();
        Send.Clear();
        SendAfterPersist.Clear();
        Deliver.Clear();
        ReadIndexes.Clear();
    }
}
