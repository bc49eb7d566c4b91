using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;

namespace Coordinator.Service.Persistence;

/// <summary>
/// The snapshot store of a replica on SQLite: one plain file per snapshot (<see cref="SnapshotFile"/>), as ZooKeeper's
/// and etcd's snapshots are. Through Akka.Persistence.Sql a 272 MB snapshot took about 2.8 s to load at startup, most
/// of the time a restarted replica of a big state needed before it could vote; a file reads at the disk's (or the page
/// cache's) speed. Each call runs on the store's own thread (its plugin dispatcher), one at a time, so a save, the
/// deletion of the older snapshots after it, and a load never interleave.
/// </summary>
/// <remarks>
/// A newest snapshot that cannot be read fails the recovery instead of falling back to an older one: the journal below
/// the newest was deleted once it was saved, so an older snapshot and the journal would silently skip what lay between.
/// </remarks>
internal sealed class FileSnapshotStore : SnapshotStore
{
    private readonly string _root;

    public FileSnapshotStore(Config config)
    {
        _root = config.GetString("dir") is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : throw new ConfigurationException("the file snapshot store needs a dir");
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        if (SnapshotFile.List(_root, persistenceId).FirstOrDefault(file => file.Matches(criteria)) is not { } newest)
        {
            return Task.FromResult<SelectedSnapshot?>(null);
        }
        var (serializerId, manifest, payload) = newest.Read();
        var snapshot = Context.System.Serialization.Deserialize(payload, serializerId, manifest);
        return Task.FromResult<SelectedSnapshot?>(new SelectedSnapshot(newest.Metadata, snapshot));
    }

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken)
    {
        var serializer = Context.System.Serialization.FindSerializerFor(snapshot);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, snapshot);
        RemoveAbandonedSaves(metadata.PersistenceId);
        SnapshotFile.Write(SnapshotFile.PathOf(_root, metadata), serializer.Identifier, manifest, serializer.ToBinary(snapshot));
        return Task.CompletedTask;
    }

    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken)
    {
        foreach (var file in SnapshotFile.List(_root, metadata.PersistenceId))
        {
            if (file.Metadata.SequenceNr == metadata.SequenceNr
                && (metadata.Timestamp == DateTime.MinValue || file.Metadata.Timestamp == metadata.Timestamp))
            {
                File.Delete(file.Path);
            }
        }
        return Task.CompletedTask;
    }

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        foreach (var file in SnapshotFile.List(_root, persistenceId).Where(file => file.Matches(criteria)))
        {
            File.Delete(file.Path);
        }
        return Task.CompletedTask;
    }

    /// <summary>A save cut short by a crash leaves its temporary file: hundreds of MB for a big state.</summary>
    private void RemoveAbandonedSaves(string persistenceId)
    {
        var directory = new DirectoryInfo(SnapshotFile.DirectoryOf(_root, persistenceId));
        if (!directory.Exists)
        {
            return;
        }
        foreach (var abandoned in directory.EnumerateFiles("*" + SnapshotFile.TemporarySuffix))
        {
            abandoned.Delete();
        }
    }
}
