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

    /// <summary>Known chosen values from <see cref="LogStart"/> on, delivered or not; kept to serve lagging peers.</summary>
    private readonly Dictionary<long, Batch> _chosen = [];

    /// <summary>Votes of the local acceptor for slots not yet known chosen.</summary>
    private readonly Dictionary<long, Vote> _votes = [];

    private ServedSnapshot? _snapshot;

    /// <summary>
    /// The snapshot each lagging peer is being sent, kept even after a newer compaction replaced
    /// <see cref="_snapshot"/>: a transfer restarted by every compaction would never finish when compactions come faster
    /// than a large snapshot travels. At most one per peer, dropped once its last chunk has gone.
    /// </summary>
    private readonly Dictionary<int, ServedSnapshot> _servingTo = [];
    private SnapshotAssembly? _incoming;
    private long _lastChunkAskAt = long.MinValue;
    private long _receivedAtLastAsk = -1;
    private int _unansweredChunkAsks;
    private CommitPoint _lastCommit;
    private int _lastLeader;
    private long _lastCatchUpAt = long.MinValue;
    private int _catchUpAttempts;

    /// <param name="stateChecksum">
    /// <see cref="SnapshotChecksum"/> of <paramref name="snapshot"/>'s state, when the shell has summed it already (off
    /// its thread: hundreds of MB take seconds on a loaded machine); summed here otherwise.
    /// </param>
    public Learner(int replicaId, PaxosOptions options, SnapshotDelivered? snapshot = null, long? stateChecksum = null)
    {
        _replicaId = replicaId;
        _options = options;
        _peers = options.ReplicaIds.Where(id => id != replicaId).ToImmutableArray();
        if (snapshot is not null)
        {
            AppliedBelow = snapshot.AppliedBelow;
            KnownChosenBelow = snapshot.AppliedBelow;
            LastTimestamp = snapshot.LastTimestamp;
            LogStart = snapshot.AppliedBelow;
            _snapshot = new ServedSnapshot(snapshot.AppliedBelow, snapshot.LastTimestamp, snapshot.State, stateChecksum ?? SnapshotChecksum.Of(snapshot.State));
        }
    }

    public long AppliedBelow { get; private set; }

    public long LastTimestamp { get; private set; }

    public long KnownChosenBelow { get; private set; }

    public long LogStart { get; private set; }

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
        if (request.FromSlot < LogStart && _snapshot is not null)
        {
            _servingTo[request.From] = _snapshot;
            SendChunk(request.From, _snapshot, 0, outbox);
            return;
        }
        // Bounded by count and by bytes: a page of large values must stay far below the transport's frame limit.
        var entries = ImmutableArray.CreateBuilder<ChosenEntry>();
        var bytes = 0L;
        for (var slot = request.FromSlot; entries.Count < _options.MaxCatchUpEntries && _chosen.TryGetValue(slot, out var value); slot++)
        {
            if (entries.Count > 0 && bytes + value.PayloadBytes > _options.MaxMessageBytes)
            {
                break;
            }
            entries.Add(new ChosenEntry(slot, value));
            bytes += value.PayloadBytes;
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

    public void OnSnapshotChunkRequest(SnapshotChunkRequest request, Outbox outbox)
    {
        if (_servingTo.TryGetValue(request.From, out var served) && served.AppliedBelow == request.AppliedBelow)
        {
            SendChunk(request.From, served, request.Offset, outbox);
        }
        else if (_snapshot is not null)
        {
            _servingTo[request.From] = _snapshot;
            SendChunk(request.From, _snapshot, request.AppliedBelow == _snapshot.AppliedBelow ? request.Offset : 0, outbox);
        }
    }

    private void SendChunk(int peer, ServedSnapshot snapshot, long offset, Outbox outbox)
    {
        var chunk = snapshot.ChunkAt(_replicaId, offset, _options.MaxMessageBytes);
        if (chunk.Offset + chunk.Data.Length == chunk.TotalBytes)
        {
            _servingTo.Remove(peer);
        }
        outbox.Send.Add(new Envelope(peer, chunk));
    }

    /// <summary>
    /// Takes the next chunk of the snapshot being received and asks its sender for the one after, so exactly one chunk
    /// is in flight; a chunk of a newer snapshot starts over with it. A lost chunk is asked for again by <see cref="Tick"/>.
    /// </summary>
    public void OnSnapshotChunk(SnapshotChunk chunk, Outbox outbox)
    {
        if (chunk.AppliedBelow <= AppliedBelow)
        {
            return;
        }
        if (_incoming is null || chunk.AppliedBelow > _incoming.AppliedBelow)
        {
            if (SnapshotAssembly.Start(chunk) is not { } started)
            {
                return;
            }
            _incoming = started;
            _receivedAtLastAsk = -1;
        }
        else if (!_incoming.Take(chunk))
        {
            return;
        }
        _unansweredChunkAsks = 0;
        if (!_incoming.IsComplete)
        {
            outbox.Send.Add(new Envelope(_incoming.Source, new SnapshotChunkRequest(_replicaId, _incoming.AppliedBelow, _incoming.Received)));
            return;
        }
        var assembled = _incoming;
        _incoming = null;
        if (assembled.Verified() is { } state)
        {
            Install(new ServedSnapshot(assembled.AppliedBelow, assembled.LastTimestamp, state, assembled.Checksum), outbox);
        }
    }

    public void Tick(long now, Outbox outbox)
    {
        if (_incoming is not null)
        {
            ResumeSnapshot(now, outbox);
            return;
        }
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

    public void Compact(long appliedBelow, long lastTimestamp, byte[] state, long stateChecksum)
    {
        if (appliedBelow > AppliedBelow)
        {
            throw new InvalidOperationException($"Cannot compact below {appliedBelow}: only {AppliedBelow} slots are applied.");
        }
        if (appliedBelow <= LogStart)
        {
            return;
        }
        _snapshot = new ServedSnapshot(appliedBelow, lastTimestamp, state, stateChecksum);
        DropBelow(appliedBelow);
    }

    /// <summary>
    /// Asks the sender again for the chunk a transfer waits for when nothing arrived for a catch-up interval; after a few
    /// unanswered asks the sender is taken to be gone, and the next catch-up request finds another peer (whose snapshot
    /// starts a new transfer).
    /// </summary>
    private void ResumeSnapshot(long now, Outbox outbox)
    {
        var incoming = _incoming!;
        if (_lastChunkAskAt != long.MinValue && now - _lastChunkAskAt < _options.CatchUpInterval)
        {
            return;
        }
        _lastChunkAskAt = now;
        if (incoming.Received != _receivedAtLastAsk)
        {
            _receivedAtLastAsk = incoming.Received;
            return;
        }
        if (_unansweredChunkAsks++ >= _options.MaxUnansweredChunkAsks)
        {
            _incoming = null;
            _unansweredChunkAsks = 0;
            return;
        }
        outbox.Send.Add(new Envelope(incoming.Source, new SnapshotChunkRequest(_replicaId, incoming.AppliedBelow, incoming.Received)));
    }

    private void Install(ServedSnapshot snapshot, Outbox outbox)
    {
        outbox.Deliver.Add(new SnapshotDelivered(snapshot.AppliedBelow, snapshot.LastTimestamp, snapshot.State));
        AppliedBelow = snapshot.AppliedBelow;
        KnownChosenBelow = Math.Max(KnownChosenBelow, snapshot.AppliedBelow);
        LastTimestamp = Math.Max(LastTimestamp, snapshot.LastTimestamp);
        _snapshot = snapshot;
        DropBelow(snapshot.AppliedBelow);
        _catchUpAttempts = 0;
        DeliverReady(outbox);
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
        LogStart = below;
    }
}
