using System.Collections.Immutable;
using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>Broken acceptor: votes for any ballot, even one below its promise - the bug Paxos exists to prevent.</summary>
internal sealed class AcceptorIgnoringPromises : IAcceptor
{
    private readonly int _replicaId;
    private readonly Dictionary<long, Vote> _votes = [];

    public AcceptorIgnoringPromises(int replicaId, IEnumerable<AcceptorEvent> journal)
    {
        _replicaId = replicaId;
        foreach (var recorded in journal)
        {
            switch (recorded)
            {
                case BallotPromised promised:
                    Promised = Ballot.Max(Promised, promised.Ballot);
                    break;
                case ValueAccepted accepted:
                    _votes[accepted.Vote.Slot] = accepted.Vote;
                    break;
            }
        }
    }

    public Ballot Promised { get; private set; }

    public long Floor => 0;

    public IEnumerable<Vote> Votes => _votes.Values.OrderBy(vote => vote.Slot);

    public void OnPrepare(Prepare prepare, Outbox outbox)
    {
        if (prepare.Ballot > Promised)
        {
            Promised = prepare.Ballot;
            outbox.Persist.Add(new BallotPromised(prepare.Ballot));
        }
        var votes = Votes.Where(vote => vote.Slot >= prepare.FromSlot).ToImmutableArray();
        outbox.SendAfterPersist.Add(new Envelope(prepare.From, new Promise(_replicaId, prepare.Ballot, Floor, prepare.FromSlot, votes, IsLast: true)));
    }

    public Vote? OnAccept(Accept accept, Outbox outbox)
    {
        var vote = new Vote(accept.Slot, accept.Ballot, accept.Value);
        _votes[accept.Slot] = vote;
        outbox.Persist.Add(new ValueAccepted(vote));
        outbox.SendAfterPersist.Add(new Envelope(accept.From, new Accepted(_replicaId, accept.Ballot, accept.Slot)));
        return vote;
    }

    public void Truncate(long below, Outbox outbox)
    {
    }
}

/// <summary>Broken acceptor: promises without making the promise durable, so a restart forgets it.</summary>
internal sealed class AcceptorForgettingPromises(IAcceptor inner) : IAcceptor
{
    public Ballot Promised => inner.Promised;

    public long Floor => inner.Floor;

    public IEnumerable<Vote> Votes => inner.Votes;

    public void OnPrepare(Prepare prepare, Outbox outbox)
    {
        inner.OnPrepare(prepare, outbox);
        outbox.Persist.RemoveAll(recorded => recorded is BallotPromised);
    }

    public Vote? OnAccept(Accept accept, Outbox outbox) => inner.OnAccept(accept, outbox);

    public void Truncate(long below, Outbox outbox) => inner.Truncate(below, outbox);
}

/// <summary>
/// Broken acceptor: lists its replies of type <typeparamref name="TReply"/> (Promise or Accepted) among the messages
/// that may leave before the journal write, so a crash during the write forgets what the reply promised.
/// </summary>
internal sealed class AcceptorReplyingBeforeItsWrite<TReply>(IAcceptor inner) : IAcceptor
    where TReply : PaxosMessage
{
    public Ballot Promised => inner.Promised;

    public long Floor => inner.Floor;

    public IEnumerable<Vote> Votes => inner.Votes;

    public void OnPrepare(Prepare prepare, Outbox outbox)
    {
        inner.OnPrepare(prepare, outbox);
        SendEarly(outbox);
    }

    public Vote? OnAccept(Accept accept, Outbox outbox)
    {
        var vote = inner.OnAccept(accept, outbox);
        SendEarly(outbox);
        return vote;
    }

    public void Truncate(long below, Outbox outbox) => inner.Truncate(below, outbox);

    private static void SendEarly(Outbox outbox)
    {
        outbox.Send.AddRange(outbox.SendAfterPersist.Where(envelope => envelope.Message is TReply));
        outbox.SendAfterPersist.RemoveAll(envelope => envelope.Message is TReply);
    }
}

/// <summary>Broken learner: hands a slot to the state machine the moment it learns it, without waiting for the gap before it.</summary>
internal sealed class LearnerIgnoringOrder(ILearner inner) : ILearner
{
    public long AppliedBelow => inner.AppliedBelow;

    public long LastTimestamp => inner.LastTimestamp;

    public long KnownChosenBelow => inner.KnownChosenBelow;

    public long LogStart => inner.LogStart;

    public void OnChosen(long slot, Batch value, Outbox outbox)
    {
        if (slot > inner.AppliedBelow)
        {
            outbox.Deliver.Add(new SlotDelivered(slot, value.Timestamp, value));
        }
        inner.OnChosen(slot, value, outbox);
    }

    public void OnVote(Vote vote, Outbox outbox) => inner.OnVote(vote, outbox);

    public void OnCommit(CommitPoint commit, int leader, Outbox outbox) => inner.OnCommit(commit, leader, outbox);

    public void OnCatchUpRequest(CatchUpRequest request, Outbox outbox) => inner.OnCatchUpRequest(request, outbox);

    public void OnCatchUp(CatchUp catchUp, Outbox outbox) => inner.OnCatchUp(catchUp, outbox);

    public void OnSnapshotChunk(SnapshotChunk chunk, Outbox outbox) => inner.OnSnapshotChunk(chunk, outbox);

    public void OnSnapshotChunkRequest(SnapshotChunkRequest request, Outbox outbox) => inner.OnSnapshotChunkRequest(request, outbox);

    public void Tick(long now, Outbox outbox) => inner.Tick(now, outbox);

    public void Compact(long appliedBelow, long lastTimestamp, byte[] state, long stateChecksum) => inner.Compact(appliedBelow, lastTimestamp, state, stateChecksum);
}
