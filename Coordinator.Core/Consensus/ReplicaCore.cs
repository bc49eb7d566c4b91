namespace Coordinator.Core.Consensus;

/// <summary>
/// One replica's consensus roles - acceptor, proposer, learner - behind a single deterministic entry point:
/// a message, a tick or a submission goes in; what to persist, send and deliver comes out in an <see cref="Outbox"/>.
/// No clock, thread, I/O or randomness of its own: the caller passes the time and the jitter source.
/// </summary>
internal sealed class ReplicaCore
{
    private readonly PaxosOptions _options;
    private readonly IAcceptor _acceptor;
    private readonly ILearner _learner;
    private readonly Proposer _proposer;

    public ReplicaCore(int replicaId, PaxosOptions options, IAcceptor acceptor, ILearner learner, IJitterSource jitter)
    {
        options.Validate(replicaId);
        ReplicaId = replicaId;
        _options = options;
        _acceptor = acceptor;
        _learner = learner;
        _proposer = new Proposer(replicaId, options, jitter, acceptor, learner);
    }

    /// <summary>A replica rebuilt from its durable parts: the acceptor's journal and the state machine's last snapshot.</summary>
    public static ReplicaCore Recover(
        int replicaId,
        PaxosOptions options,
        IEnumerable<AcceptorEvent> journal,
        SnapshotDelivered? snapshot,
        IJitterSource jitter) =>
        new(replicaId, options, Acceptor.Recover(replicaId, options, journal), new Learner(replicaId, options, snapshot), jitter);

    public int ReplicaId { get; }

    public ProposerRole Role => _proposer.Role;

    public Ballot Ballot => _proposer.Ballot;

    public Ballot Promised => _acceptor.Promised;

    public int LeaderHint => _proposer.LeaderHint;

    public long AppliedBelow => _learner.AppliedBelow;

    public long KnownChosenBelow => _learner.KnownChosenBelow;

    public long LastTimestamp => _learner.LastTimestamp;

    public int PendingCommands => _proposer.PendingCommands;

    public void Start(long now) => _proposer.Start(now);

    /// <returns>
    /// False when the message came from a replica outside the configured set or names a ballot no replica can reach
    /// (see <see cref="IsReachable"/>); it was ignored: nothing promised, accepted, persisted or answered.
    /// </returns>
    public bool Handle(PaxosMessage message, long now, Outbox outbox)
    {
        if (!_options.ReplicaIds.Contains(message.From) || !BallotsAreReachable(message))
        {
            return false;
        }
        switch (message)
        {
            case Prepare prepare:
                _acceptor.OnPrepare(prepare, outbox);
                if (_acceptor.Promised == prepare.Ballot)
                {
                    _proposer.ObserveCandidate(prepare.Ballot, now);
                }
                break;
            case Accept accept:
                if (_acceptor.OnAccept(accept, outbox) is { } vote)
                {
                    _learner.OnVote(vote, outbox);
                }
                _proposer.ObserveLeader(accept.Ballot, now);
                _learner.OnCommit(new CommitPoint(accept.Ballot, accept.ChosenBelow), accept.From, outbox);
                break;
            case Promise promise:
                _proposer.OnPromise(promise, now, outbox);
                break;
            case Accepted accepted:
                _proposer.OnAccepted(accepted, now, outbox);
                break;
            case Nack nack:
                _proposer.OnNack(nack, now);
                break;
            case Chosen chosen:
                if (!_proposer.ObserveLeader(chosen.Commit.Ballot, now))
                {
                    outbox.SendAfterPersist.Add(new Envelope(chosen.From, new Nack(ReplicaId, _proposer.HighestSeen)));
                }
                _learner.OnCommit(chosen.Commit, chosen.From, outbox);
                break;
            case CatchUpRequest request:
                _learner.OnCatchUpRequest(request, outbox);
                break;
            case CatchUp catchUp:
                _learner.OnCatchUp(catchUp, outbox);
                break;
            case SnapshotChunk chunk:
                _learner.OnSnapshotChunk(chunk, outbox);
                break;
            case SnapshotChunkRequest request:
                _learner.OnSnapshotChunkRequest(request, outbox);
                break;
            case LeaderCheck check:
                // Only a promise above the asking ballot refuses: a lower one can no longer lead past it.
                if (_acceptor.Promised <= check.Ballot)
                {
                    _proposer.ObserveLeader(check.Ballot, now);
                    outbox.Send.Add(new Envelope(check.From, new LeaderCheckAck(ReplicaId, check.Ballot, check.Round)));
                }
                else
                {
                    outbox.SendAfterPersist.Add(new Envelope(check.From, new Nack(ReplicaId, _acceptor.Promised)));
                }
                break;
            case LeaderCheckAck ack:
                _proposer.OnLeaderCheckAck(ack, now, outbox);
                break;
            case PreVote preVote:
                if (preVote.Ballot < _acceptor.Promised)
                {
                    outbox.SendAfterPersist.Add(new Envelope(preVote.From, new Nack(ReplicaId, _acceptor.Promised)));
                }
                else if (_proposer.WouldVote(now) && preVote.AppliedBelow >= _learner.LogStart)
                {
                    // A candidate behind the log start is refused even with no leader around. Liveness holds: in any
                    // majority the replica that applied the most reaches every member's log start (each is at most
                    // what that member applied), so it gets the whole majority's yes.
                    outbox.Send.Add(new Envelope(preVote.From, new PreVoteGranted(ReplicaId, preVote.Ballot, preVote.Round)));
                }
                break;
            case PreVoteGranted granted:
                _proposer.OnPreVoteGranted(granted, now, outbox);
                break;
            default:
                return false;
        }
        _proposer.FlushAbandonedReads(outbox);
        return true;
    }

    /// <summary>
    /// A ballot a configured replica can have run: a round in 1..<see cref="Ballot.MaxRound"/> owned by a member. Only
    /// such ballots may raise a promise or what this replica has seen, so its own next round never overflows.
    /// </summary>
    public bool IsReachable(Ballot ballot) => ballot.HasReachableRound && _options.ReplicaIds.Contains(ballot.ReplicaId);

    private bool BallotsAreReachable(PaxosMessage message)
    {
        switch (message)
        {
            case Prepare prepare:
                return IsReachable(prepare.Ballot);
            case Promise promise:
                if (!IsReachable(promise.Ballot))
                {
                    return false;
                }
                foreach (var vote in promise.Votes)
                {
                    if (!IsReachable(vote.Ballot))
                    {
                        return false;
                    }
                }
                return true;
            case Accept accept:
                return IsReachable(accept.Ballot);
            case Accepted accepted:
                return IsReachable(accepted.Ballot);
            case Nack nack:
                return IsReachable(nack.Promised);
            case Chosen chosen:
                return IsReachable(chosen.Commit.Ballot);
            case LeaderCheck check:
                return IsReachable(check.Ballot);
            case LeaderCheckAck ack:
                return IsReachable(ack.Ballot);
            case PreVote preVote:
                return IsReachable(preVote.Ballot);
            case PreVoteGranted granted:
                return IsReachable(granted.Ballot);
            default:
                return true;
        }
    }

    public void Tick(long now, Outbox outbox)
    {
        _proposer.Tick(now, outbox);
        _learner.Tick(now, outbox);
        _proposer.FlushAbandonedReads(outbox);
    }

    public SubmitResult Submit(Command command, long now, Outbox outbox) => _proposer.Submit(command, now, outbox);

    /// <summary>
    /// Asks for a read index (see <see cref="ReadIndexAnswer"/>); the answer comes in a later outbox, or in this one
    /// on a single-replica cluster. False when this replica does not lead: ask the leader (<see cref="LeaderHint"/>).
    /// </summary>
    public bool ReadIndex(long requestId, long now, Outbox outbox) => _proposer.ReadIndex(requestId, now, outbox);

    /// <summary>
    /// The acceptor's durable state as a minimal journal, with votes below <paramref name="floor"/> left out: what a
    /// snapshot taken at <paramref name="floor"/> must carry so every journal event before it can be deleted.
    /// </summary>
    public IReadOnlyList<AcceptorEvent> AcceptorJournal(long floor)
    {
        floor = Math.Max(floor, _acceptor.Floor);
        List<AcceptorEvent> journal = [new BallotPromised(_acceptor.Promised), new LogTruncated(floor)];
        journal.AddRange(_acceptor.Votes.Where(vote => vote.Slot >= floor).Select(vote => new ValueAccepted(vote)));
        return journal;
    }

    /// <summary>
    /// The state machine's snapshot of every slot below <paramref name="appliedBelow"/> is durable: the learner may
    /// serve it instead of the log, and the acceptor may forget its votes below it.
    /// </summary>
    public void Compact(long appliedBelow, long lastTimestamp, byte[] state, long stateChecksum, Outbox outbox)
    {
        _learner.Compact(appliedBelow, lastTimestamp, state, stateChecksum);
        _acceptor.Truncate(appliedBelow, outbox);
    }
}
