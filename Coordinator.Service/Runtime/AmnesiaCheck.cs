namespace Coordinator.Service.Runtime;

/// <summary>
/// Decides whether a replica may start on what its data directory holds. Refuses the two ways a replica can come back
/// with fewer votes than it gave: a journal lost under a surviving identity, and another replica's directory.
/// </summary>
internal static class AmnesiaCheck
{
    /// <returns>The identity to record once the replica has recovered.</returns>
    /// <exception cref="ReplicaStartException">Starting would let the replica vote without the votes it already gave.</exception>
    public static ReplicaIdentity Decide(int replicaId, ReplicaIdentity? identity, StoredHistory history, string where)
    {
        if (identity is null)
        {
            return new ReplicaIdentity(replicaId, Incarnation: 1);
        }
        if (identity.ReplicaId != replicaId)
        {
            throw new ReplicaStartException(
                $"replica {replicaId} refuses to start: {where} belongs to replica {identity.ReplicaId}");
        }
        if (history.IsEmpty && identity.Incarnation == 0)
        {
            throw new ReplicaStartException(
                $"replica {replicaId} refuses to start: a restore from a backup began here but did not finish ({where} is empty); " +
                "run it again with --restore");
        }
        if (history.JournalBehindSnapshot)
        {
            throw new ReplicaStartException(
                $"replica {replicaId} refuses to start: it has run before (incarnation {identity.Incarnation}) but its journal " +
                $"({where}) ends at event {history.JournalHighest}, before its snapshot at event {history.SnapshotHighest}: the journal " +
                "was lost or replaced, and with it the promises and votes it gave. Keep it stopped: the other replicas go on without it");
        }
        if (history.SnapshotMissingBelowJournal)
        {
            throw new ReplicaStartException(
                $"replica {replicaId} refuses to start: it has run before (incarnation {identity.Incarnation}) but its journal " +
                $"({where}) was compacted below event {history.JournalLowest} and no snapshot reaches back to it: the snapshot " +
                "file was lost, and with it the state and the promises it held. Keep it stopped: the other replicas go on without it");
        }
        if (history.IsEmpty)
        {
            throw new ReplicaStartException(
                $"replica {replicaId} refuses to start: it has run before (incarnation {identity.Incarnation}) but its journal " +
                $"({where}) is empty or missing, so the promises and votes it gave are lost; a blank replica could undo writes " +
                "that a majority including it acknowledged (an older backup of its journal is just as unsafe). Keep it stopped: " +
                "the other replicas go on without it. Replacing it needs membership changes, which this version does not have");
        }
        return identity with { Incarnation = identity.Incarnation + 1 };
    }
}
