using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Coordinator.Service.Persistence;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// The SQLite default's snapshot store keeps each snapshot as a plain file (issue 15: a 272 MB snapshot took 2.8 s to
/// load through Akka.Persistence.Sql, most of what a restarted replica of a big state waited before it could vote).
/// Real ActorSystems with Akka.Persistence, real files.
/// </summary>
[Trait("Category", "Persistence")]
public sealed class FileSnapshotStoreTests
{
    private const string PersistenceId = "replica/1";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_saved_snapshot_is_recovered_newest_first_and_deleted_by_criteria()
    {
        using var directory = new TempDirectory("file-snapshots");
        var root = Path.Combine(directory.Path, "snapshots");
        await using (var system = await StoreSystem.StartAsync(FileStoreConfig(root)))
        {
            var actor = await system.SpawnAsync(PersistenceId);
            await actor.SaveAsync(Bytes(1, 1000));
            await actor.SaveAsync(Bytes(2, 3_000_000));
        }

        Assert.Equal([2L, 1], SnapshotFile.List(root, PersistenceId).Select(file => file.Metadata.SequenceNr));
        await using (var system = await StoreSystem.StartAsync(FileStoreConfig(root)))
        {
            var actor = await system.SpawnAsync(PersistenceId);
            Assert.Equal(Bytes(2, 3_000_000), actor.Recovered);

            await actor.DeleteAsync(new SnapshotSelectionCriteria(long.MaxValue));
        }
        Assert.Empty(SnapshotFile.List(root, PersistenceId));
        await using (var system = await StoreSystem.StartAsync(FileStoreConfig(root)))
        {
            Assert.Null((await system.SpawnAsync(PersistenceId)).Recovered);
        }
    }

    [Fact]
    public async Task A_save_cut_short_leaves_a_temporary_file_that_is_never_loaded_and_is_removed_by_the_next_save()
    {
        using var directory = new TempDirectory("file-snapshots-torn");
        var root = Path.Combine(directory.Path, "snapshots");
        Directory.CreateDirectory(SnapshotFile.DirectoryOf(root, PersistenceId));
        var torn = SnapshotFile.PathOf(root, new SnapshotMetadata(PersistenceId, 9, DateTime.UtcNow)) + SnapshotFile.TemporarySuffix;
        await File.WriteAllBytesAsync(torn, [1, 2, 3]);

        await using var system = await StoreSystem.StartAsync(FileStoreConfig(root));
        var actor = await system.SpawnAsync(PersistenceId);
        Assert.Null(actor.Recovered);

        await actor.SaveAsync(Bytes(3, 10));
        Assert.False(File.Exists(torn));
    }

    /// <summary>
    /// The journal below the newest snapshot was deleted when it was saved: an older snapshot in its place would skip
    /// what lay between, so a damaged newest snapshot stops the recovery, naming the file.
    /// </summary>
    [Fact]
    public async Task A_truncated_newest_snapshot_fails_the_recovery_instead_of_falling_back_to_an_older_one()
    {
        using var directory = new TempDirectory("file-snapshots-truncated");
        var root = Path.Combine(directory.Path, "snapshots");
        var older = SnapshotFile.PathOf(root, new SnapshotMetadata(PersistenceId, 1, DateTime.UtcNow));
        var newer = SnapshotFile.PathOf(root, new SnapshotMetadata(PersistenceId, 2, DateTime.UtcNow));
        SnapshotFile.Write(older, serializerId: 4, manifest: "", Bytes(1, 100));
        SnapshotFile.Write(newer, serializerId: 4, manifest: "", Bytes(2, 100));
        await using (var stream = new FileStream(newer, FileMode.Open))
        {
            stream.SetLength(stream.Length - 1);
        }

        await using var system = await StoreSystem.StartAsync(FileStoreConfig(root));
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => system.SpawnAsync(PersistenceId));
        Assert.Contains(newer, failure.ToString());
    }

    /// <summary>
    /// The version before kept snapshots in a SQLite file of their own, through Akka.Persistence.Sql, and compacted the
    /// journal below them: a replica upgraded over it moves the newest into the directory before anything reads it.
    /// </summary>
    [Fact]
    public async Task Snapshots_in_the_earlier_sqlite_file_move_into_the_directory_and_the_file_goes()
    {
        using var directory = new TempDirectory("file-snapshots-legacy");
        var legacy = Path.Combine(directory.Path, "replica-1.snapshots.db");
        var root = Path.Combine(directory.Path, "replica-1.snapshots");
        await using (var system = await StoreSystem.StartAsync(SqlStoreConfig(legacy)))
        {
            var actor = await system.SpawnAsync(PersistenceId);
            await actor.SaveAsync(Bytes(1, 500));
            await actor.SaveAsync(Bytes(2, 2_000_000));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        Assert.Equal(1, await LegacySnapshotMigration.MoveAsync(legacy, root, CancellationToken.None));

        Assert.False(File.Exists(legacy));
        await using (var system = await StoreSystem.StartAsync(FileStoreConfig(root)))
        {
            Assert.Equal(Bytes(2, 2_000_000), (await system.SpawnAsync(PersistenceId)).Recovered);
        }
        Assert.Equal(0, await LegacySnapshotMigration.MoveAsync(legacy, root, CancellationToken.None));
    }

    private static byte[] Bytes(byte value, int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        bytes[0] = (byte)(length % 251);
        return bytes;
    }

    private static Config FileStoreConfig(string root) => ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.files"
        akka.persistence.snapshot-store.files {
          class = "{{typeof(FileSnapshotStore).AssemblyQualifiedName}}"
          dir = "{{root}}"
        }
        """);

    private static Config SqlStoreConfig(string file) => ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
        akka.persistence.snapshot-store.sql {
          connection-string = "Data Source={{file}}"
          provider-name = "SQLiteMS"
          auto-initialize = on
        }
        """).WithFallback(SqlPersistence.DefaultConfiguration);

    /// <summary>An ActorSystem with only Akka.Persistence, stopped with the test.</summary>
    private sealed class StoreSystem : IAsyncDisposable
    {
        private readonly ActorSystem _system;

        private StoreSystem(ActorSystem system) => _system = system;

        public static Task<StoreSystem> StartAsync(Config config) =>
            Task.FromResult(new StoreSystem(ActorSystem.Create("snapshots", config.WithFallback("akka.loglevel = WARNING"))));

        public async Task<SnapshotHolder> SpawnAsync(string persistenceId)
        {
            var recovered = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var actor = _system.ActorOf(Props.Create(() => new SnapshotActor(persistenceId, recovered)));
            return new SnapshotHolder(actor, await recovered.Task.WaitAsync(Within));
        }

        public async ValueTask DisposeAsync() => await _system.Terminate();
    }

    private sealed record SnapshotHolder(IActorRef Actor, object? Recovered)
    {
        public async Task SaveAsync(byte[] snapshot)
        {
            var answer = await Actor.Ask<object>(new Save(snapshot), Within);
            Assert.IsType<SaveSnapshotSuccess>(answer);
        }

        public async Task DeleteAsync(SnapshotSelectionCriteria criteria)
        {
            var answer = await Actor.Ask<object>(criteria, Within);
            Assert.IsType<DeleteSnapshotsSuccess>(answer);
        }
    }

    private sealed record Save(byte[] Snapshot);

    /// <summary>Persists one event per save so each snapshot has its own sequence number, as the replica's do.</summary>
    private sealed class SnapshotActor : UntypedPersistentActor
    {
        private readonly TaskCompletionSource<object?> _recovered;
        private object? _offered;
        private IActorRef? _asker;

        public SnapshotActor(string persistenceId, TaskCompletionSource<object?> recovered)
        {
            PersistenceId = persistenceId;
            _recovered = recovered;
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            switch (message)
            {
                case SnapshotOffer offer:
                    _offered = offer.Snapshot;
                    break;
                case RecoveryCompleted:
                    _recovered.TrySetResult(_offered);
                    break;
            }
        }

        protected override void OnRecoveryFailure(Exception reason, object? message = null)
        {
            _recovered.TrySetException(reason);
            base.OnRecoveryFailure(reason, message);
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case Save save:
                    _asker = Sender;
                    Persist(save.Snapshot.Length, _ => SaveSnapshot(save.Snapshot));
                    break;
                case SnapshotSelectionCriteria criteria:
                    _asker = Sender;
                    DeleteSnapshots(criteria);
                    break;
                case SaveSnapshotSuccess or SaveSnapshotFailure or DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                    _asker?.Tell(message);
                    break;
            }
        }
    }
}
