using System.Collections.Immutable;

namespace Coordinator.Core.Consensus;

/// <summary>
/// The Paxos acceptor: a promised ballot and one vote per slot. It never promises or accepts below its promise,
/// and every change is emitted to <see cref="Outbox.Persist"/>, its replies to <see cref="Outbox.SendAfterPersist"/>:
/// none may leave before the write it justifies.
/// </summary>
internal sealed class Acceptor : IAcceptor
{
    private readonly int _replicaId;
    private readonly int _maxMessageBytes;
    private readonly Dictionary<long, Vote> _votes = [];

    private Acceptor(int replicaId, int maxMessageBytes)
    {
        _replicaId = replicaId;
        _maxMessageBytes = maxMessageBytes;
    }

    public Ballot Promised { get; private set; } = Ballot.Zero;

    public long Floor { get; private set; }

    public IEnumerable<Vote> Votes => _votes.Values.OrderBy(vote => vote.Slot);

    public static Acceptor Recover(int replicaId, PaxosOptions options, IEnumerable<AcceptorEvent> journal)
    {
        var acceptor = new Acceptor(replicaId, options.MaxMessageBytes);
        foreach (var recorded in journal)
        {
            acceptor.Replay(recorded);
        }
        return acceptor;
    }

    public void OnPrepare(Prepare prepare, Outbox outbox)
    {
        if (prepare.Ballot < Promised)
        {
            outbox.SendAfterPersist.Add(new Envelope(prepare.From, new Nack(_replicaId, Promised)));
            return;
        }
        if (prepare.Ballot > Promised)
        {
            Promised = prepare.Ballot;
            outbox.Persist.Add(new BallotPromised(prepare.Ballot));
        }
        outbox.SendAfterPersist.Add(new Envelope(prepare.From, PromiseFrom(prepare)));
    }

    /// <summary>
    /// The votes from the prepare's slot on, up to the message limit (at least one, since a batch is bounded too).
    /// Sending the rest later is safe: having promised the ballot, this acceptor takes no vote below it, and a vote
    /// above it raises the promise, so the candidate's next ask is refused and it never counts a stale half.
    /// </summary>
    private Promise PromiseFrom(Prepare prepare)
    {
        var from = Math.Max(prepare.FromSlot, Floor);
        var votes = ImmutableArray.CreateBuilder<Vote>();
        long bytes = 0;
        foreach (var vote in _votes.Values.Where(vote => vote.Slot >= from).OrderBy(vote => vote.Slot))
        {
            var size = MessageSize.Of(vote);
            if (votes.Count > 0 && bytes + size > _maxMessageBytes)
            {
                return new Promise(_replicaId, prepare.Ballot, Floor, prepare.FromSlot, votes.ToImmutable(), IsLast: false);
            }
            votes.Add(vote);
            bytes += size;
        }
        return new Promise(_replicaId, prepare.Ballot, Floor, prepare.FromSlot, votes.ToImmutable(), IsLast: true);
    }

    public Vote? OnAccept(Accept accept, Outbox outbox)
    {
        if (accept.Ballot < Promised)
        {
            outbox.SendAfterPersist.Add(new Envelope(accept.From, new Nack(_replicaId, Promised)));
            return null;
        }
        if (accept.Slot < Floor)
        {
            // The slot is chosen and compacted here. By Paxos any proposal for a chosen slot carries the chosen
            // value, so acknowledging without storing is safe, and it keeps a leader whose quorum did not include
            // this acceptor from waiting forever on a slot that is already decided.
            outbox.SendAfterPersist.Add(new Envelope(accept.From, new Accepted(_replicaId, accept.Ballot, accept.Slot)));
            return null;
        }
        var vote = new Vote(accept.Slot, accept.Ballot, accept.Value);
        var alreadyDurable = _votes.TryGetValue(accept.Slot, out var previous) && previous.Ballot == accept.Ballot;
        if (!alreadyDurable)
        {
            Promised = accept.Ballot;
            _votes[accept.Slot] = vote;
            outbox.Persist.Add(new ValueAccepted(vote));
        }
        outbox.SendAfterPersist.Add(new Envelope(accept.From, new Accepted(_replicaId, accept.Ballot, accept.Slot)));
        return vote;
    }

    public void Truncate(long below, Outbox outbox)
    {
        if (below <= Floor)
        {
            return;
        }
        Floor = below;
        RemoveVotesBelow(below);
        outbox.Persist.Add(new LogTruncated(below));
    }

    private void Replay(AcceptorEvent recorded)
    {
        switch (recorded)
        {
            case BallotPromised promised:
                Promised = Ballot.Max(Promised, promised.Ballot);
                break;
            case ValueAccepted accepted when accepted.Vote.Slot >= Floor:
                Promised = Ballot.Max(Promised, accepted.Vote.Ballot);
                if (!_votes.TryGetValue(accepted.Vote.Slot, out var previous) || previous.Ballot <= accepted.Vote.Ballot)
                {
                    _votes[accepted.Vote.Slot] = accepted.Vote;
                }
                break;
            case ValueAccepted accepted:
                Promised = Ballot.Max(Promised, accepted.Vote.Ballot);
                break;
            case LogTruncated truncated when truncated.Below > Floor:
                Floor = truncated.Below;
                RemoveVotesBelow(truncated.Below);
                break;
        }
    }

    private void RemoveVotesBelow(long below)
    {
        foreach (var slot in _votes.Keys.Where(slot => slot < below).ToList())
        {
            _votes.Remove(slot);
        }
    }
}
