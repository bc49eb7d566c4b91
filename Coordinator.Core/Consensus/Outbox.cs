namespace Coordinator.Core.Consensus;

/// <summary>
/// Everything one call into the core asks its shell to do: persist, send, deliver to the state machine.
/// Replies must wait until the journal write is durable: replying before it completes would let a crash forget a
/// promise that was already relied on. Messages that promise nothing about this replica's journal (Accept, Chosen,
/// catch-up traffic, LeaderCheck and its Ack, which only says no higher ballot is promised in memory) may go before
/// the write, and so may read index answers; Prepare may not, since the candidate's own promise is what keeps a
/// restarted replica from reusing its ballot. Deliveries are chosen values (durable at a majority): the shell may
/// apply them at once, as long as it applies every outbox's deliveries in the order the outboxes were produced.
/// </summary>
internal sealed class Outbox
{
    public List<AcceptorEvent> Persist { get; } = [];

    public List<Envelope> Send { get; } = [];

    public List<Delivery> Deliver { get; } = [];

    /// <summary>Answers to <see cref="ReplicaCore.ReadIndex"/>; they promise nothing about the journal.</summary>
    public List<ReadIndexAnswer> ReadIndexes { get; } = [];

    public bool IsEmpty => Persist.Count == 0 && Send.Count == 0 && Deliver.Count == 0 && ReadIndexes.Count == 0;

    public void Clear()
    {
        Persist.Clear();
        Send.Clear();
        Deliver.Clear();
        ReadIndexes.Clear();
    }
}
