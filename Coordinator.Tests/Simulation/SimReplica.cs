using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// One simulated replica: volatile parts (core, state machine, journal writes not yet durable) die on a crash; the
/// journal and snapshot survive.
/// </summary>
internal sealed class SimReplica(int id, SimRandom random, long snapshotInterval)
{
    public int Id { get; } = id;

    public SimRandom Random { get; } = random;

    public long SnapshotInterval { get; } = snapshotInterval;

    public List<AcceptorEvent> Journal { get; private set; } = [];

    public SnapshotDelivered? DurableSnapshot { get; set; }

    public ReplicaCore? Core { get; set; }

    public ISimStateMachine Machine { get; set; } = new SimStateMachine();

    public long LastTimestamp { get; set; }

    public int Incarnation { get; set; }

    /// <summary>Journal writes of this incarnation issued and not yet durable.</summary>
    public int WritesPending { get; set; }

    /// <summary>When the latest journal write becomes durable; a later write never becomes durable before it.</summary>
    public long LastWriteDurableAt { get; set; }

    public bool IsUp => Core is not null;

    public void Persist(AcceptorEvent recorded)
    {
        if (recorded is not LogTruncated truncated)
        {
            Journal.Add(recorded);
            return;
        }
        // Compact the journal as a real store would: keep the highest promise and the votes at or above the floor.
        var highest = Ballot.Zero;
        var kept = new List<AcceptorEvent>();
        foreach (var entry in Journal)
        {
            switch (entry)
            {
                case BallotPromised promised:
                    highest = Ballot.Max(highest, promised.Ballot);
                    break;
                case ValueAccepted accepted:
                    highest = Ballot.Max(highest, accepted.Vote.Ballot);
                    if (accepted.Vote.Slot >= truncated.Below)
                    {
                        kept.Add(accepted);
                    }
                    break;
            }
        }
        Journal = [new BallotPromised(highest), truncated, .. kept];
    }
}
