using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Coordinator.Service.Persistence;

/// <summary>
/// The Akka.Persistence journal of a replica's SQLite file (<c>coordinator.storage.journal = sqlite-native</c>): the
/// events go through Akka's serialization as Akka.Persistence.Sql sends them (serializer id, manifest, bytes) into
/// the same table, written by <see cref="JournalFile"/> on one connection with group commit. What it saves over
/// Akka.Persistence.Sql on every write is measured in Persistence/README.md.
/// </summary>
/// <remarks>
/// Akka creates it from its HOCON section: <c>class</c>, <c>plugin-dispatcher</c>, and <c>path</c>, the file. The
/// cancellation tokens Akka passes (its circuit breaker's call timeout) are not followed: a write already queued is
/// committed or failed by the file's thread, never abandoned half-way, and Akka reports the timeout either way.
/// </remarks>
internal sealed class SqliteNativeJournal : AsyncWriteJournal
{
    public const string PluginId = "akka.persistence.journal.sqlite-native";

    private readonly JournalFile _file;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteNativeJournal(Config config)
    {
        _file = new JournalFile(config.GetString("path") ?? throw new ConfigurationException($"{PluginId}.path is missing"));
        _serialization = Context.System.Serialization;
    }

    /// <summary>The HOCON that selects this journal for the file at <paramref name="path"/>.</summary>
    public static Config Hocon(string path) => ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "{{PluginId}}"
        {{PluginId}} {
          class = "{{typeof(SqliteNativeJournal).AssemblyQualifiedName}}"
          # The actor only hands work to the file's own thread, and is never busy long.
          plugin-dispatcher = "akka.actor.default-dispatcher"
          path = "{{path.Replace("\\", "\\\\").Replace("\"", "\\\"")}}"
        }
        """);

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var created = DateTime.UtcNow.Ticks;
        var rows = new JournalRow[]?[writes.Count];
        var rejections = new Exception?[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                rows[i] = [.. ((IImmutableList<IPersistentRepresentation>)writes[i].Payload).Select(persistent => Serialize(persistent, created))];
            }
            catch (Exception unserializable)
            {
                // Akka's contract: a write that cannot be serialized is rejected alone, and the actor goes on.
                rejections[i] = unserializable;
            }
        }
        return Completed(_file.WriteAsync(rows), rejections);
    }

    private static async Task<IImmutableList<Exception?>> Completed(Task<Exception?[]> written, Exception?[] rejections)
    {
        var failures = await written;
        // A write SQLite refused (a sequence number already stored) fails the whole call, as Akka asks of a storage
        // error; only serialization errors are rejections.
        if (failures.FirstOrDefault(failure => failure is not null) is { } failure)
        {
            throw failure;
        }
        return rejections.All(rejection => rejection is null) ? null! : rejections.ToImmutableList();
    }

    private JournalRow Serialize(IPersistentRepresentation persistent, long created)
    {
        if (persistent.Payload is Tagged)
        {
            throw new NotSupportedException("the sqlite-native journal stores no tags");
        }
        var payload = persistent.Payload;
        var serializer = _serialization.FindSerializerFor(payload);
        var system = _serialization.System;
        var bytes = Akka.Serialization.Serialization.WithTransport(system, () => serializer.ToBinary(payload));
        return new JournalRow(
            persistent.PersistenceId, persistent.SequenceNr, bytes, Akka.Serialization.Serialization.ManifestFor(serializer, payload),
            serializer.Identifier, persistent.WriterGuid, created);
    }

    public override Task ReplayMessagesAsync(
        IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback) =>
        _file.ReplayAsync(persistenceId, fromSequenceNr, toSequenceNr, max, row => recoveryCallback(new Persistent(
            payload: _serialization.Deserialize(row.Message, row.SerializerId, row.Manifest),
            sequenceNr: row.SequenceNr,
            persistenceId: row.PersistenceId,
            manifest: row.Manifest,
            isDeleted: false,
            sender: ActorRefs.NoSender,
            writerGuid: row.WriterUuid,
            timestamp: row.CreatedTicks)));

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        _file.HighestSequenceNrAsync(persistenceId);

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken) =>
        _file.DeleteToAsync(persistenceId, toSequenceNr);

    protected override void PostStop()
    {
        _file.Dispose();
        base.PostStop();
    }
}
