using System.Collections.Immutable;
using System.Numerics;

namespace Coordinator.Core.Consensus;

/// <summary>
/// The proposer/leader role. A follower that hears no leader for a randomized timeout runs phase 1 for every slot
/// from its first unapplied one; with a majority of promises, including its own acceptor's (so its ballot is durable
/// before any Accept goes out and a restart can never reuse it), it re-proposes the highest-ballot vote of every
/// reported slot, fills holes with no-ops, and only then proposes new commands, pipelined and batched.
/// </summary>
/// <remarks>
/// Two rules keep a cut-off or lagging replica from deposing a healthy leader (Raft's pre-vote and check-quorum).
/// Before it raises its ballot, a follower asks every replica whether it would promise the next one; a replica that
/// heard a leader within the election timeout, or leads, says no, and without a majority of yeses the follower tries
/// again later with the same ballot. A leader that has not heard a majority answer its ballot (Accepted, or the
/// LeaderCheckAck of a check it sends when the log is idle) for twice an election timeout steps down, so the majority's
/// silence towards a leader they can no longer hear is soon the truth, and their pre-votes succeed.
/// </remarks>
internal sealed class Proposer
{
    private readonly int _replicaId;
    private readonly PaxosOptions _options;
    private readonly IJitterSource _jitter;
    private readonly IAcceptor _localAcceptor;
    private readonly ILearner _localLearner;

    // Phase 1: the slot each acceptor's promise has reached (absent: not yet heard), who has sent all of theirs, the
    // highest-ballot vote reported per slot and the highest compaction floor. Merging votes from acceptors outside the
    // final quorum is safe: every vote is a value some leader proposed after its own phase 1.
    private readonly Dictionary<int, long> _promisedUpTo = [];
    private uint _promisedBy;
    private readonly Dictionary<long, Vote> _reportedVotes = [];
    private long _reportedFloor;
    private readonly Dictionary<long, SlotInFlight> _inFlight = [];
    private readonly Queue<Command> _pending = new();

    private Ballot _highestSeen;
    private long _electionDeadline;
    private long _prepareFromSlot;
    private long _prepareSentAt;
    private long _nextSlot;
    private long _lastHeartbeatAt;
    private long _lastStamp;
    private long _lastTickAt = long.MinValue;

    // Pre-vote: the ballot this follower would run, the round of its question, and who said yes; and until when this
    // replica, having heard a leader, says no to others.
    private bool _preVoting;
    private Ballot _preVoteBallot;
    private long _preVoteRound;
    private uint _preVotedBy;
    private long _leaseUntil = long.MinValue;

    // Check-quorum: when each replica last answered this leader's ballot (this replica's own slot is unused).
    private readonly int _selfIndex;
    private readonly long[] _answeredAt;

    // Read index: reads confirmed by the leader check in flight, reads that arrived after it was sent (they need the
    // next one), and reads of a leadership that ended, to be answered without an index.
    private readonly List<(long RequestId, long Index)> _readsInCheck = [];
    private readonly List<(long RequestId, long Index)> _readsWaiting = [];
    private readonly List<long> _readsAbandoned = [];
    private long _checkRound;
    private uint _checkAckedBy;
    private long _checkSentAt;
    private bool _checkInFlight;

    public Proposer(int replicaId, PaxosOptions options, IJitterSource jitter, IAcceptor localAcceptor, ILearner localLearner)
    {
        _replicaId = replicaId;
        _options = options;
        _jitter = jitter;
        _localAcceptor = localAcceptor;
        _localLearner = localLearner;
        _highestSeen = localAcceptor.Promised;
        _selfIndex = options.ReplicaIds.IndexOf(replicaId);
        _answeredAt = new long[options.ReplicaIds.Length];
    }

    public ProposerRole Role { get; private set; } = ProposerRole.Follower;

    /// <summary>This replica's own ballot while it is a candidate or leader.</summary>
    public Ballot Ballot { get; private set; }

    /// <summary>Who this replica believes leads; 0 when it does not know.</summary>
    public int LeaderHint { get; private set; }

    /// <summary>As leader: every slot below this is chosen.</summary>
    public long ChosenBelow { get; private set; }

    public Ballot HighestSeen => Ballot.Max(_highestSeen, _localAcceptor.Promised);

    public int PendingCommands => _pending.Count;

    public void Start(long now) => _electionDeadline = now + JitteredElectionTimeout();

    public void Tick(long now, Outbox outbox)
    {
        DiscountOwnStall(now);
        switch (Role)
        {
            case ProposerRole.Follower when now >= _electionDeadline:
            case ProposerRole.Candidate when now >= _electionDeadline:
                if (_options.PreVoteAndCheckQuorum)
                {
                    StartPreVote(now, outbox);
                }
                else
                {
                    StartElection(now, outbox);
                }
                break;
            case ProposerRole.Candidate when now - _prepareSentAt >= _options.RetransmitInterval:
                SendPrepare(now, outbox, onlyToSilent: true);
                break;
            case ProposerRole.Leader:
                var quorumAnsweredAt = _options.PreVoteAndCheckQuorum ? QuorumAnsweredAt(now) : now;
                if (now - quorumAnsweredAt >= _options.CheckQuorumTimeout)
                {
                    StepDown(now, 0);
                    break;
                }
                if (now - _lastHeartbeatAt >= _options.HeartbeatInterval)
                {
                    BroadcastCommit(now, outbox);
                }
                RetransmitAccepts(now, outbox);
                if (_checkInFlight && now - _checkSentAt >= _options.RetransmitInterval)
                {
                    SendLeaderCheck(now, outbox, onlyToSilent: true);
                }
                else if (!_checkInFlight && now - quorumAnsweredAt >= _options.HeartbeatInterval)
                {
                    // Commit points get no answer: an idle leader asks for one, or check-quorum would depose it.
                    StartLeaderCheck(now, outbox);
                }
                break;
        }
    }

    public SubmitResult Submit(Command command, long now, Outbox outbox)
    {
        if (Role != ProposerRole.Leader)
        {
            return new SubmitResult(SubmitStatus.NotLeader, LeaderHint);
        }
        if (_pending.Count >= _options.MaxPendingCommands)
        {
            return new SubmitResult(SubmitStatus.Overloaded, _replicaId);
        }
        _pending.Enqueue(command);
        ProposePending(now, outbox);
        return new SubmitResult(SubmitStatus.Queued, _replicaId);
    }

    /// <summary>
    /// As leader: answers <paramref name="requestId"/> with a read index once a majority of acceptors, asked after the
    /// request arrived, have promised no higher ballot. The index is the next unassigned slot at arrival: every value
    /// chosen before then is below it, by this leader or by an earlier one whose slots its phase 1 recovered.
    /// </summary>
    /// <returns>False when this replica does not lead; nothing is answered then.</returns>
    public bool ReadIndex(long requestId, long now, Outbox outbox)
    {
        if (Role != ProposerRole.Leader)
        {
            return false;
        }
        _readsWaiting.Add((requestId, _nextSlot));
        if (!_checkInFlight)
        {
            StartLeaderCheck(now, outbox);
        }
        return true;
    }

    public void OnLeaderCheckAck(LeaderCheckAck ack, long now, Outbox outbox)
    {
        var index = _options.ReplicaIds.IndexOf(ack.From);
        if (Role != ProposerRole.Leader || ack.Ballot != Ballot || index < 0)
        {
            return;
        }
        _answeredAt[index] = now;
        if (!_checkInFlight || ack.Round != _checkRound)
        {
            return;
        }
        _checkAckedBy |= 1u << index;
        AnswerConfirmedReads(now, outbox);
    }

    /// <summary>Answers, without an index, the reads of a leadership that has ended.</summary>
    public void FlushAbandonedReads(Outbox outbox)
    {
        foreach (var requestId in _readsAbandoned)
        {
            outbox.ReadIndexes.Add(new ReadIndexAnswer(requestId, null, LeaderHint));
        }
        _readsAbandoned.Clear();
    }

    public void OnPromise(Promise promise, long now, Outbox outbox)
    {
        var index = _options.ReplicaIds.IndexOf(promise.From);
        if (Role != ProposerRole.Candidate || promise.Ballot != Ballot || index < 0 || (_promisedBy & (1u << index)) != 0
            || promise.FromSlot != _promisedUpTo.GetValueOrDefault(promise.From, _prepareFromSlot)
            || (!promise.IsLast && promise.Votes.IsEmpty))
        {
            // Another ballot's, a duplicate, a part already merged, or a malformed part that names no continuation.
            return;
        }
        _reportedFloor = Math.Max(_reportedFloor, promise.Floor);
        foreach (var vote in promise.Votes)
        {
            if (!_reportedVotes.TryGetValue(vote.Slot, out var known) || known.Ballot < vote.Ballot)
            {
                _reportedVotes[vote.Slot] = vote;
            }
        }
        if (!promise.IsLast)
        {
            var next = promise.Votes[^1].Slot + 1;
            if (next <= promise.FromSlot)
            {
                return;
            }
            _promisedUpTo[promise.From] = next;
            // Parts still arriving are progress: an election that must gather many does not time out half-way.
            _electionDeadline = now + JitteredElectionTimeout();
            outbox.Send.Add(new Envelope(promise.From, new Prepare(_replicaId, Ballot, next)));
            return;
        }
        _promisedBy |= 1u << index;
        if (BitOperations.PopCount(_promisedBy) >= _options.Majority && (_promisedBy & (1u << _selfIndex)) != 0)
        {
            BecomeLeader(now, outbox);
        }
    }

    public void OnAccepted(Accepted accepted, long now, Outbox outbox)
    {
        if (Role != ProposerRole.Leader || accepted.Ballot != Ballot)
        {
            // Accepted replies from another ballot never count toward this ballot's majority.
            return;
        }
        var index = _options.ReplicaIds.IndexOf(accepted.From);
        if (index < 0)
        {
            return;
        }
        _answeredAt[index] = now;
        if (!_inFlight.TryGetValue(accepted.Slot, out var slot) || slot.IsChosen)
        {
            return;
        }
        slot.AcceptedBy |= 1u << index;
        if (BitOperations.PopCount(slot.AcceptedBy) < _options.Majority)
        {
            return;
        }
        slot.IsChosen = true;
        _localLearner.OnChosen(accepted.Slot, slot.Value, outbox);
        var advanced = false;
        while (_inFlight.TryGetValue(ChosenBelow, out var next) && next.IsChosen)
        {
            _inFlight.Remove(ChosenBelow);
            ChosenBelow++;
            advanced = true;
        }
        if (advanced)
        {
            BroadcastCommit(now, outbox);
            ProposePending(now, outbox);
        }
    }

    public void OnNack(Nack nack, long now)
    {
        _highestSeen = Ballot.Max(_highestSeen, nack.Promised);
        if (Role != ProposerRole.Follower && nack.Promised > Ballot)
        {
            StepDown(now, nack.Promised.ReplicaId);
        }
    }

    /// <summary>
    /// Another replica acts as leader of <paramref name="ballot"/> (it sent an Accept or a commit point).
    /// Returns false when that ballot is stale, so the caller can tell the old leader to step down.
    /// </summary>
    public bool ObserveLeader(Ballot ballot, long now)
    {
        if (ballot < HighestSeen)
        {
            return false;
        }
        _highestSeen = ballot;
        if (ballot.ReplicaId == _replicaId)
        {
            return true;
        }
        _leaseUntil = now + _options.ElectionTimeout;
        if (Role != ProposerRole.Follower)
        {
            StepDown(now, ballot.ReplicaId);
            return true;
        }
        _preVoting = false;
        LeaderHint = ballot.ReplicaId;
        _electionDeadline = now + JitteredElectionTimeout();
        return true;
    }

    /// <summary>
    /// Whether this replica would promise a candidate now, as far as leadership goes (the caller checks the ballot
    /// against the promise): not while it leads, nor within an election timeout of hearing a leader.
    /// </summary>
    public bool WouldVote(long now) => Role != ProposerRole.Leader && now >= _leaseUntil;

    public void OnPreVoteGranted(PreVoteGranted granted, long now, Outbox outbox)
    {
        var index = _options.ReplicaIds.IndexOf(granted.From);
        if (!_preVoting || Role != ProposerRole.Follower || granted.Ballot != _preVoteBallot || granted.Round != _preVoteRound || index < 0)
        {
            return;
        }
        _preVotedBy |= 1u << index;
        if (BitOperations.PopCount(_preVotedBy) >= _options.Majority)
        {
            StartElection(now, outbox);
        }
    }

    /// <summary>The local acceptor promised a candidate's ballot: give that candidate time to finish its election.</summary>
    public void ObserveCandidate(Ballot ballot, long now)
    {
        if (ballot < HighestSeen || ballot.ReplicaId == _replicaId)
        {
            return;
        }
        _highestSeen = ballot;
        if (Role != ProposerRole.Follower && ballot > Ballot)
        {
            StepDown(now, 0);
            return;
        }
        if (Role == ProposerRole.Follower)
        {
            _preVoting = false;
            LeaderHint = 0;
            _electionDeadline = now + JitteredElectionTimeout();
        }
    }

    /// <summary>Asks whether a majority would promise the next ballot; this replica's own yes counts at once.</summary>
    private void StartPreVote(long now, Outbox outbox)
    {
        // A candidate whose election timed out asks again too, rather than raising its ballot once more.
        Role = ProposerRole.Follower;
        LeaderHint = 0;
        ForgetPromises();
        _preVoting = true;
        _preVoteBallot = HighestSeen.Next(_replicaId);
        _preVoteRound++;
        _preVotedBy = 1u << _selfIndex;
        _electionDeadline = now + JitteredElectionTimeout();
        if (BitOperations.PopCount(_preVotedBy) >= _options.Majority)
        {
            StartElection(now, outbox);
            return;
        }
        var preVote = new PreVote(_replicaId, _preVoteBallot, _preVoteRound, _localLearner.AppliedBelow);
        foreach (var replica in _options.ReplicaIds)
        {
            if (replica != _replicaId)
            {
                outbox.Send.Add(new Envelope(replica, preVote));
            }
        }
    }

    private void StartElection(long now, Outbox outbox)
    {
        Ballot = HighestSeen.Next(_replicaId);
        _highestSeen = Ballot;
        _preVoting = false;
        Role = ProposerRole.Candidate;
        LeaderHint = 0;
        ForgetPromises();
        _inFlight.Clear();
        _pending.Clear();
        _prepareFromSlot = _localLearner.AppliedBelow;
        _electionDeadline = now + JitteredElectionTimeout();
        SendPrepare(now, outbox, onlyToSilent: false);
    }

    private void SendPrepare(long now, Outbox outbox, bool onlyToSilent)
    {
        _prepareSentAt = now;
        for (var index = 0; index < _options.ReplicaIds.Length; index++)
        {
            var replica = _options.ReplicaIds[index];
            if (!onlyToSilent || (_promisedBy & (1u << index)) == 0)
            {
                var fromSlot = _promisedUpTo.GetValueOrDefault(replica, _prepareFromSlot);
                outbox.SendAfterPersist.Add(new Envelope(replica, new Prepare(_replicaId, Ballot, fromSlot)));
            }
        }
    }

    private void ForgetPromises()
    {
        _promisedUpTo.Clear();
        _promisedBy = 0;
        _reportedVotes.Clear();
        _reportedFloor = 0;
    }

    private void BecomeLeader(long now, Outbox outbox)
    {
        Role = ProposerRole.Leader;
        LeaderHint = _replicaId;
        // The promises just came from a majority: a full election timeout to hear from them again.
        Array.Fill(_answeredAt, now);
        var start = Math.Max(_prepareFromSlot, _reportedFloor);
        var highestVotes = _reportedVotes.Values.Where(vote => vote.Slot >= start).ToDictionary(vote => vote.Slot);
        ForgetPromises();
        _lastStamp = Math.Max(_lastStamp, _localLearner.LastTimestamp);
        foreach (var vote in highestVotes.Values)
        {
            _lastStamp = Math.Max(_lastStamp, vote.Value.Timestamp);
        }
        var end = highestVotes.Count == 0 ? start : highestVotes.Keys.Max() + 1;
        ChosenBelow = start;
        for (_nextSlot = start; _nextSlot < end; _nextSlot++)
        {
            var value = highestVotes.TryGetValue(_nextSlot, out var vote) ? vote.Value : Batch.NoOp(_lastStamp, Ballot, now);
            Propose(_nextSlot, value, now, outbox);
        }
        BroadcastCommit(now, outbox);
    }

    private void ProposePending(long now, Outbox outbox)
    {
        while (_pending.Count > 0 && _nextSlot - ChosenBelow < _options.PipelineWindow)
        {
            var commands = ImmutableArray.CreateBuilder<Command>();
            var bytes = 0;
            while (_pending.Count > 0
                   && commands.Count < _options.MaxBatchCommands
                   && (commands.Count == 0 || bytes + _pending.Peek().Payload.Length <= _options.MaxBatchBytes))
            {
                var command = _pending.Dequeue();
                bytes += command.Payload.Length;
                commands.Add(command);
            }
            _lastStamp = Math.Max(_lastStamp, now);
            Propose(_nextSlot, new Batch(_lastStamp, Ballot, now, commands.ToImmutable()), now, outbox);
            _nextSlot++;
        }
    }

    private void Propose(long slot, Batch value, long now, Outbox outbox)
    {
        _inFlight[slot] = new SlotInFlight(value, now);
        var accept = new Accept(_replicaId, Ballot, slot, value, ChosenBelow);
        foreach (var replica in _options.ReplicaIds)
        {
            outbox.Send.Add(new Envelope(replica, accept));
        }
    }

    private void RetransmitAccepts(long now, Outbox outbox)
    {
        for (var slot = ChosenBelow; slot < _nextSlot; slot++)
        {
            if (!_inFlight.TryGetValue(slot, out var inFlight) || inFlight.IsChosen || now - inFlight.SentAt < _options.RetransmitInterval)
            {
                continue;
            }
            inFlight.SentAt = now;
            var accept = new Accept(_replicaId, Ballot, slot, inFlight.Value, ChosenBelow);
            for (var index = 0; index < _options.ReplicaIds.Length; index++)
            {
                if ((inFlight.AcceptedBy & (1u << index)) == 0)
                {
                    outbox.Send.Add(new Envelope(_options.ReplicaIds[index], accept));
                }
            }
        }
    }

    private void BroadcastCommit(long now, Outbox outbox)
    {
        _lastHeartbeatAt = now;
        var commit = new CommitPoint(Ballot, ChosenBelow);
        // The local learner needs the commit point too: a leader elected past its own applied slot (its quorum had
        // compacted further) learns here that those slots are chosen and must be fetched from a peer.
        _localLearner.OnCommit(commit, _replicaId, outbox);
        var chosen = new Chosen(_replicaId, commit);
        foreach (var replica in _options.ReplicaIds)
        {
            if (replica != _replicaId)
            {
                outbox.Send.Add(new Envelope(replica, chosen));
            }
        }
    }

    private void StepDown(long now, int leaderHint)
    {
        Role = ProposerRole.Follower;
        _preVoting = false;
        LeaderHint = leaderHint;
        ForgetPromises();
        _inFlight.Clear();
        _pending.Clear();
        _readsAbandoned.AddRange(_readsInCheck.Concat(_readsWaiting).Select(read => read.RequestId));
        _readsInCheck.Clear();
        _readsWaiting.Clear();
        _checkInFlight = false;
        _electionDeadline = now + JitteredElectionTimeout();
    }

    private void StartLeaderCheck(long now, Outbox outbox)
    {
        _readsInCheck.AddRange(_readsWaiting);
        _readsWaiting.Clear();
        _checkRound++;
        _checkInFlight = true;
        _checkAckedBy = 0;
        SendLeaderCheck(now, outbox, onlyToSilent: false);
    }

    /// <summary>The check goes to every acceptor, this replica's own included, through the same path.</summary>
    private void SendLeaderCheck(long now, Outbox outbox, bool onlyToSilent)
    {
        _checkSentAt = now;
        var check = new LeaderCheck(_replicaId, Ballot, _checkRound);
        for (var index = 0; index < _options.ReplicaIds.Length; index++)
        {
            if (!onlyToSilent || (_checkAckedBy & (1u << index)) == 0)
            {
                outbox.Send.Add(new Envelope(_options.ReplicaIds[index], check));
            }
        }
    }

    private void AnswerConfirmedReads(long now, Outbox outbox)
    {
        if (BitOperations.PopCount(_checkAckedBy) < _options.Majority)
        {
            return;
        }
        foreach (var (requestId, index) in _readsInCheck)
        {
            outbox.ReadIndexes.Add(new ReadIndexAnswer(requestId, index, _replicaId));
        }
        _readsInCheck.Clear();
        _checkInFlight = false;
        if (_readsWaiting.Count > 0)
        {
            StartLeaderCheck(now, outbox);
        }
    }

    /// <summary>The time by which a majority, this replica included, last answered this leader's ballot.</summary>
    private long QuorumAnsweredAt(long now)
    {
        Span<long> times = stackalloc long[_answeredAt.Length];
        _answeredAt.CopyTo(times);
        times[_selfIndex] = now;
        times.Sort();
        return times[times.Length - _options.Majority];
    }

    /// <summary>
    /// Ticks further apart than a heartbeat mean this replica itself was not running (a GC pause, a starved thread pool,
    /// a disk that held the process): what its peers sent meanwhile waits behind this tick in its mailbox, so that time
    /// is not their silence. A leader that counted it deposed itself after every long pause of its own (issue 15: five
    /// step-downs while two replicas wrote 300 MB), and a follower started an election with its leader's heartbeats
    /// still unread. A replica that keeps being ticked still times out: each tick discounts only its excess over a
    /// heartbeat.
    /// </summary>
    private void DiscountOwnStall(long now)
    {
        var stalled = _lastTickAt == long.MinValue ? 0 : now - _lastTickAt - _options.HeartbeatInterval;
        _lastTickAt = now;
        if (stalled <= 0)
        {
            return;
        }
        _electionDeadline += stalled;
        if (_leaseUntil != long.MinValue)
        {
            _leaseUntil += stalled;
        }
        for (var i = 0; i < _answeredAt.Length; i++)
        {
            _answeredAt[i] = Math.Min(now, _answeredAt[i] + stalled);
        }
    }

    private long JitteredElectionTimeout() => _options.ElectionTimeout + _jitter.Next(_options.ElectionTimeout);
}
