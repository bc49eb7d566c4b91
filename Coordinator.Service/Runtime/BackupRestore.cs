using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Seeds the snapshot store of a replica of a new cluster with a backup (<c>--restore FILE</c>), as if the replica had
/// applied every slot below the backup's and snapshotted there, with an acceptor that has promised and accepted
/// nothing: in a new cluster no replica has voted yet, so there is nothing to forget. Each replica of the new cluster
/// is seeded from the same file, so all start from the same state at the same slot.
/// </summary>
/// <remarks>
/// Only an empty data directory is seeded: seeding over a replica's journal would make it forget its votes, the very
/// thing <see cref="AmnesiaCheck"/> exists to prevent. The identity file is written first, with incarnation 0 and the
/// new cluster's id: a restore cut short leaves that mark, a later normal start refuses (an identity, no journal), and
/// a second <c>--restore</c> may start over. Once seeded, the normal start finds a journal with history and this
/// identity, and goes on from there; so does a later start with the same <c>--restore</c>, which finds its own
/// cluster id there and seeds nothing.
/// </remarks>
internal static class BackupRestore
{
    /// <returns>Whether it seeded the replica now; false when an earlier run of the same restore already had (a unit file
    /// that keeps <c>--restore</c> must not stop the replica from restarting).</returns>
    /// <exception cref="ReplicaStartException">The file is unreadable, corrupt or truncated, or the data directory holds
    /// another replica.</exception>
    public static async Task<bool> SeedAsync(ReplicaSettings settings, Config resolved, RestoreFromBackup restore, CancellationToken cancellationToken)
    {
        var id = settings.ReplicaId;
        BackupHeader header;
        byte[] state;
        try
        {
            var (read, bytes) = BackupFile.Read(restore.Path, keepState: true);
            (header, state) = (read, bytes!);
        }
        catch (InvalidDataException refused)
        {
            throw new ReplicaStartException($"replica {id} cannot restore: {refused.Message}", refused);
        }
        try
        {
            CoordinatorStateMachine.Restore(state, settings.StateMachine);
        }
        catch (FormatException unreadable)
        {
            throw new ReplicaStartException(
                $"replica {id} cannot restore: {restore.Path} passes its checksum but holds a state this build cannot read ({unreadable.Message})", unreadable);
        }
        var clusterId = restore.KeepClusterId ? header.ClusterId : ClusterIds.ForRestore(settings.Replicas, header);
        var identity = ReplicaIdentity.Read(settings.DataDir, id);
        var hasHistory = !(await JournalStore.ReadHistoryAsync(settings.Storage, ReplicaActor.PersistenceIdOf(id), cancellationToken)).IsEmpty;
        if (hasHistory && identity?.ClusterId == clusterId)
        {
            return false;
        }
        if (identity is { Incarnation: > 0 } || hasHistory)
        {
            throw new ReplicaStartException(
                $"replica {id} refuses to restore: its data directory ({Path.GetFullPath(settings.DataDir)}, {JournalStore.Describe(settings.Storage)}) " +
                "already holds a replica; --restore seeds only a replica of a new cluster, on an empty data directory");
        }
        new ReplicaIdentity(id, Incarnation: 0, clusterId).Write(settings.DataDir);
        await JournalStore.CheckAsync(settings.Storage, cancellationToken);
        var seed = new ReplicaSnapshot([], new SnapshotDelivered(header.AppliedBelow, header.LastTimestamp, state));
        await SaveAsync(settings, resolved, seed, cancellationToken);
        return true;
    }

    /// <summary>Saves the seed through the replica's own snapshot store, in an actor system without networking.</summary>
    private static async Task SaveAsync(ReplicaSettings settings, Config resolved, ReplicaSnapshot seed, CancellationToken cancellationToken)
    {
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local")
            .WithFallback(JournalStore.PersistenceConfig(settings.Storage))
            .WithFallback(resolved)
            .WithFallback(SqlPersistence.DefaultConfiguration);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = JournalStore.PersistenceSetup(settings.Storage) is { } persistence
            ? ActorSystem.Create("coordinator-restore", bootstrap.And(persistence))
            : ActorSystem.Create("coordinator-restore", bootstrap);
        try
        {
            var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new SeedActor(ReplicaActor.PersistenceIdOf(settings.ReplicaId), seed, saved)));
            try
            {
                await saved.Task.WaitAsync(settings.RecoveryTimeout, cancellationToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                throw new ReplicaStartException(
                    $"replica {settings.ReplicaId} could not save the restored snapshot ({JournalStore.Describe(settings.Storage)}): {failure.GetBaseException().Message}",
                    failure);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>Has the replica's persistence id, finds it empty, saves the seed as its first snapshot, and says so.</summary>
    private sealed class SeedActor : UntypedPersistentActor
    {
        private readonly ReplicaSnapshot _seed;
        private readonly TaskCompletionSource _saved;
        private bool _foundHistory;

        public SeedActor(string persistenceId, ReplicaSnapshot seed, TaskCompletionSource saved)
        {
            PersistenceId = persistenceId;
            _seed = seed;
            _saved = saved;
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            switch (message)
            {
                case SnapshotOffer:
                    _foundHistory = true;
                    break;
                case RecoveryCompleted when _foundHistory || LastSequenceNr != 0:
                    // Another process wrote here since the emptiness check: never seed over history.
                    _saved.TrySetException(new InvalidOperationException("the journal is no longer empty"));
                    break;
                case RecoveryCompleted:
                    SaveSnapshot(_seed);
                    break;
            }
        }

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _saved.TrySetException(reason);
            base.OnRecoveryFailure(reason, message);
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case SaveSnapshotSuccess:
                    _saved.TrySetResult();
                    break;
                case SaveSnapshotFailure failed:
                    _saved.TrySetException(failed.Cause);
                    break;
            }
        }
    }
}
