namespace Coordinator.Service.Consensus;

/// <summary>
/// Everything one call into the core asks its shell to do. The shell must drain it in this order:
/// persist (and wait for the write to be durable), then send, then deliver to the state machine.
/// Replying before the journal write completes would let a crash forget a promise that was already relied on.
/// Messages that promise nothing about this replica's journal (Accept, Chosen, catch-up traffic) may go before the
/// write; Prepare may not, since the candidate's own promise is what keeps a restarted replica from reusing its ballot.
/// </summary>
internal sealed class Outbox
{
    public List<AcceptorEvent> Persist { get; } = [];

    public List<Envelope> Send { get; } = [];

    public List<Delivery> Deliver { get; } = [];

    public bool IsEmpty => Persist.Count == 0 && Send.Count == 0 && Deliver.Count == 0;

    public void Clear()
    {
        Persist.Clear();
        Send.Clear();
        Deliver.Clear();
    }
}
