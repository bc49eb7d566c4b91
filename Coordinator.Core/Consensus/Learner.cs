using System.Collections.Immutable;

namespace Coordinator.Core.Consensus;

/// <summary>
/// Learns which value each slot chose and delivers the slots to the state machine strictly in order. Values come
/// from the local acceptor's votes (resolved by the leader's commit point), from the local leader directly, or from a
/// peer when this replica missed them; a peer that compacted the slot away answers with its snapshot instead.
/// </summary>
internal sealed class Learner : ILearner
{
    private readonly int _replicaId;
    private readonly PaxosOptions _options;
    private readonly ImmutableArray<int> _peers;

    /// <summary>Known chosen values from <see cref="_logStart"/> on, delivered or not; kept to serve lagging peers.</summary>
    private readonly Dictionary<long, Batch> _chosen = [];

    /// <summary>Votes of the local acceptor for slots not yet known chosen.</summary>
    private readonly Dictionary<long, Vote> _votes = [];

    private long _logStart;
    private InstallSnapshot? _snapshot;
    private CommitPoint _lastCommit;
    private int _lastLeader;
    private long _lastCatchUpAt = long.MinValue;
    private int _catchUpAttempts;

    public Learner(int replicaId, PaxosOptions options, SnapshotDelivered? snapshot = null)
    {
        _replicaId = replicaId;
        _options = options;
        _peers = options.ReplicaIds.Where(id => id != replicaId).ToImmutableArray();
        if (snapshot is not null)
        {
            AppliedBelow = snapshot.AppliedBelow;
            KnownChosenBelow = snapshot.AppliedBelow;
            LastTimestamp = snapshot.LastTimestamp;
            _logStart = snapshot.AppliedBelow;
            _snapshot = new InstallSnapshot(replicaId, snapshot.AppliedBelow, snapshot.LastTimestamp, snapshot.State);
        }
    }

    public long AppliedBelow { get; private set; }

    public long LastTimestamp { get; private set; }

    public long KnownChosenBelow { get; private set; }

    public void OnVote(Vote vote, Outbox outbox)
    {
        if (vote.Slot < AppliedBelow || _chosen.ContainsKey(vote.Slot))
        {
            return;
        }
        if (vote.Ballot == _lastCommit.Ballot && vote.Slot < _lastCommit.ChosenBelow)
        {
            Learn(vote.Slot, vote.Value, outbox);
            return;
        }
        if (!_votes.TryGetValue(vote.Slot, out var previous) || previous.Ballot < vote.Ballot)
        {
            _votes[vote.Slot] = vote;
        }
    }

    public void OnChosen(long slot, Batch value, Outbox outbox)
    {
        KnownChosenBelow = Math.Max(KnownChosenBelow, slot + 1);
        Learn(slot, value, outbox);
    }

    public void OnCommit(CommitPoint commit, int leader, Outbox outbox)
    {
        KnownChosenBelow = Math.Max(KnownChosenBelow, commit.ChosenBelow);
        // An older leader's commit point is still true, so it resolves votes of its ballot; only the newest is kept
        // for votes that arrive after it.
        if (commit.Ballot > _lastCommit.Ballot || (commit.Ballot == _lastCommit.Ballot && commit.ChosenBelow > _lastCommit.ChosenBelow))
        {
            _lastCommit = commit;
            _lastLeader = leader;
        }
        var resolved = _votes.Values
            .Where(vote => vote.Ballot == commit.Ballot && vote.Slot < commit.ChosenBelow)
            .OrderBy(vote => vote.Slot)
            .ToList();
        foreach (var vote in resolved)
        {
            Learn(vote.Slot, vote.Value, outbox);
        }
    }

    public void OnCatchUpRequest(CatchUpRequest request, Outbox outbox)
    {
        if (request.FromSlot < _logStart && _snapshot is not null)
        {
            outbox.Send.Add(new Envelope(request.From, _snapshot with { From = _replicaId }));
            return;
        }
        var entries = ImmutableArray.CreateBuilder<ChosenEntry>();
        for (var slot = request.FromSlot; entries.Count < _options.MaxCatchUpEntries && _chosen.TryGetValue(slot, out var value); slot++)
        {
            entries.Add(new ChosenEntry(slot, value));
        }
        if (entries.Count > 0)
        {
            outbox.Send.Add(new Envelope(request.From, new CatchUp(_replicaId, entries.ToImmutable())));
        }
    }

    public void OnCatchUp(CatchUp catchUp, Outbox outbox)
    {
        foreach (var entry in catchUp.Entries)
        {
            KnownChosenBelow = Math.Max(KnownChosenBelow, entry.Slot + 1);
            Learn(entry.Slot, entry.Value, outbox);
        }
        _catchUpAttempts = 0;
    }

    public void OnInstallSnapshot(InstallSnapshot snapshot, Outbox outbox)
    {
        if (snapshot.AppliedBelow <= AppliedBelow)
        {
            return;
        }
        outbox.Deliver.Add(new SnapshotDelivered(snapshot.AppliedBelow, snapshot.LastTimestamp, snapshot.State));
        AppliedBelow = snapshot.AppliedBelow;
        KnownChosenBelow = Math.Max(KnownChosenBelow, snapshot.AppliedBelow);
        LastTimestamp = Math.Max(LastTimestamp, snapshot.LastTimestamp);
        _snapshot = snapshot with { From = _replicaId };
        DropBelow(snapshot.AppliedBelow);
        _catchUpAttempts = 0;
        DeliverReady(outbox);
    }

    public void Tick(long now, Outbox outbox)
    {
        if (AppliedBelow >= KnownChosenBelow || _chosen.ContainsKey(AppliedBelow))
        {
            return;
        }
        if (_lastCatchUpAt != long.MinValue && now - _lastCatchUpAt < _options.CatchUpInterval)
        {
            return;
        }
        _lastCatchUpAt = now;
        outbox.Send.Add(new Envelope(NextCatchUpPeer(), new CatchUpRequest(_replicaId, AppliedBelow)));
    }

    public void Compact(long appliedBelow, long lastTimestamp, byte[] state)
    {
        if (appliedBelow > AppliedBelow)
        {
            throw new InvalidOperationException($"Cannot compact below {appliedBelow}: only {AppliedBelow} slots are applied.");
        }
        if (appliedBelow <= _logStart)
        {
            return;
        }
        _snapshot = new InstallSnapshot(_replicaId, appliedBelow, lastTimestamp, state);
        DropBelow(appliedBelow);
    }

    /// <summary>The leader first, since it knows the most; then every other peer in turn, in case it does not.</summary>
    private int NextCatchUpPeer()
    {
        if (_peers.IsEmpty)
        {
            return _replicaId;
        }
        var attempt = _catchUpAttempts++;
        if (attempt % (_peers.Length + 1) == 0 && _lastLeader != 0 && _lastLeader != _replicaId)
        {
            return _lastLeader;
        }
        return _peers[attempt % _peers.Length];
    }

    private void Learn(long slot, Batch value, Outbox outbox)
    {
        if (slot < AppliedBelow || !_chosen.TryAdd(slot, value))
        {
            return;
        }
        _votes.Remove(slot);
        DeliverReady(outbox);
    }

    private void DeliverReady(Outbox outbox)
    {
        while (_chosen.TryGetValue(AppliedBelow, out var value))
        {
            LastTimestamp = Math.Max(LastTimestamp, value.Timestamp);
            outbox.Deliver.Add(new SlotDelivered(AppliedBelow, LastTimestamp, value));
            AppliedBelow++;
        }
        KnownChosenBelow = Math.Max(KnownChosenBelow, AppliedBelow);
    }

    private void DropBelow(long below)
    {
        foreach (var slot in _chosen.Keys.Where(slot => slot < below).ToList())
        {
            _chosen.Remove(slot);
        }
        foreach (var slot in _votes.Keys.Where(slot => slot < below).ToList())
        {
            _votes.Remove(slot);
        }
        _logStart = below;
    }
}
