using Akka.Actor.Setup;
using Akka.Persistence.Sql.Config;
using Coordinator.Service.Persistence;
using LinqToDB;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;
using System.Data.Common;
using System.Globalization;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Prepares and checks a replica's journal database before the actor system touches it, and builds the persistence
/// configuration that points at it: a SQLite journal through <see cref="SqliteNativeJournal"/> or Akka.Persistence.Sql
/// (<see cref="StorageSettings.Journal"/>), its snapshots and PostgreSQL through Akka.Persistence.Sql.
/// </summary>
internal static class JournalStore
{
    private const string JournalPluginId = "akka.persistence.journal.sql";
    private const string SnapshotPluginId = "akka.persistence.snapshot-store.sql";
    private const string FileSnapshotPluginId = "akka.persistence.snapshot-store.files";

    public static async Task CheckAsync(StorageSettings storage, CancellationToken cancellationToken)
    {
        try
        {
            switch (storage.Provider)
            {
                case StorageProvider.Sqlite:
                    await CheckSqliteAsync(storage.SqlitePath, cancellationToken);
                    Directory.CreateDirectory(storage.SqliteSnapshotDirectory);
                    if (storage.Journal == SqliteJournal.Native)
                    {
                        CheckNativeSchema(storage.SqlitePath);
                    }
                    break;
                case StorageProvider.Postgres:
                    await using (var connection = new NpgsqlConnection(storage.PostgresConnectionString))
                    {
                        await connection.OpenAsync(cancellationToken);
                    }
                    break;
            }
        }
        catch (Exception failure) when (failure is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            throw new ReplicaStartException($"journal database unavailable ({Describe(storage)}): {failure.GetBaseException().Message}", failure);
        }
    }

    /// <summary>
    /// What the journal and the snapshot store hold of <paramref name="persistenceId"/>. A SQLite file that is missing or
    /// empty, or tables not created yet, hold nothing. Reads only; creates nothing. Both SQLite journal plugins write
    /// the same table (<see cref="JournalSchema"/>), deleted events and the compaction mark included, so one query
    /// serves either.
    /// </summary>
    public static async Task<StoredHistory> ReadHistoryAsync(StorageSettings storage, string persistenceId, CancellationToken cancellationToken)
    {
        try
        {
            switch (storage.Provider)
            {
                case StorageProvider.Sqlite:
                    var (lowest, highest) = await ReadSqliteAsync(storage.SqlitePath, connection => JournalRangeAsync(connection, persistenceId, cancellationToken), (0L, 0L));
                    var snapshot = SnapshotFile.List(storage.SqliteSnapshotDirectory, persistenceId).FirstOrDefault()?.Metadata.SequenceNr;
                    return new StoredHistory(lowest, highest, snapshot);
                default:
                    await using (var connection = new NpgsqlConnection(storage.PostgresConnectionString))
                    {
                        await connection.OpenAsync(cancellationToken);
                        var (journalLowest, journalHighest) = await JournalRangeAsync(connection, persistenceId, cancellationToken);
                        return new StoredHistory(journalLowest, journalHighest, await HighestSnapshotAsync(connection, persistenceId, cancellationToken));
                    }
            }
        }
        catch (Exception failure) when (failure is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException)
        {
            throw new ReplicaStartException($"journal database unavailable ({Describe(storage)}): {failure.GetBaseException().Message}", failure);
        }
    }

    /// <summary>
    /// For SQLite, the connection settings the journal opens every connection with (see <see cref="SqliteBusyTimeout"/>);
    /// PostgreSQL needs nothing beyond its HOCON.
    /// </summary>
    public static Setup? PersistenceSetup(StorageSettings storage)
    {
        if (storage.Provider != StorageProvider.Sqlite)
        {
            return null;
        }
        var setup = new MultiDataOptionsSetup();
        if (storage.Journal == SqliteJournal.Sql)
        {
            setup.AddDataOptions(JournalPluginId, SqliteOptions(storage.SqlitePath));
        }
        return setup;
    }

    private static DataOptions SqliteOptions(string path) => new DataOptions()
        .UseConnectionString(ProviderName.SQLiteMS, SqliteConnectionString(path))
        .UseInterceptor(SqliteBusyTimeout.Instance);

    public static Config PersistenceConfig(StorageSettings storage)
    {
        var sqlite = storage.Provider == StorageProvider.Sqlite;
        var (journal, provider) = sqlite
            ? (SqliteConnectionString(storage.SqlitePath), ProviderName.SQLiteMS)
            : (storage.PostgresConnectionString, "PostgreSQL.15");
        var native = sqlite && storage.Journal == SqliteJournal.Native
            ? SqliteNativeJournal.Hocon(Path.GetFullPath(storage.SqlitePath))
            : Config.Empty;
        return native.WithFallback(ConfigurationFactory.ParseString($$"""
            coordinator.snapshot-dispatcher {
              type = ForkJoinDispatcher
              throughput = 10
              dedicated-thread-pool.thread-count = 1
            }
            akka.persistence {
              journal {
                plugin = "{{JournalPluginId}}"
                sql {
                  connection-string = {{Quote(journal)}}
                  provider-name = "{{provider}}"
                  auto-initialize = on
                  # SQLite has one writer at a time: concurrent journal writers only queue on its lock, so one
                  # writer stream batching whatever piled up meanwhile is both faster and free of lock waits.
                  parallelism = {{(sqlite ? 1 : 3)}}
                }
              }
              snapshot-store {
                plugin = "{{(sqlite ? FileSnapshotPluginId : SnapshotPluginId)}}"
                # A thread of its own: writing a snapshot of hundreds of MB holds it for seconds.
                files {
                  class = "{{typeof(FileSnapshotStore).AssemblyQualifiedName}}"
                  plugin-dispatcher = "coordinator.snapshot-dispatcher"
                  # Akka's 20 s default would report a save of hundreds of MB on a slow disk as failed while it goes on.
                  circuit-breaker.call-timeout = 120s
                  dir = {{Quote(sqlite ? storage.SqliteSnapshotDirectory : "")}}
                }
                sql {
                  plugin-dispatcher = "coordinator.snapshot-dispatcher"
                  connection-string = {{Quote(storage.PostgresConnectionString)}}
                  provider-name = "PostgreSQL.15"
                  auto-initialize = on
                }
              }
            }
            """));
    }

    private static async Task<T> ReadSqliteAsync<T>(string path, Func<SqliteConnection, Task<T>> read, T whenMissing)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        if (!file.Exists || file.Length == 0)
        {
            return whenMissing;
        }
        await using var connection = new SqliteConnection($"Data Source={file.FullName}");
        await connection.OpenAsync();
        return await read(connection);
    }

    private static async Task<(long Lowest, long Highest)> JournalRangeAsync(DbConnection connection, string persistenceId, CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(connection, "journal", cancellationToken))
        {
            return (0, 0);
        }
        await using var range = Select(connection, "SELECT min(sequence_number), max(sequence_number) FROM journal WHERE persistence_id = @id", persistenceId);
        await using var reader = await range.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    private static async Task<long?> HighestSnapshotAsync(DbConnection connection, string persistenceId, CancellationToken cancellationToken)
    {
        if (!await TableExistsAsync(connection, "snapshot", cancellationToken))
        {
            return null;
        }
        await using var highest = Select(connection, "SELECT max(sequence_number) FROM snapshot WHERE persistence_id = @id", persistenceId);
        return await highest.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull
            ? Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : null;
    }

    private static async Task<bool> TableExistsAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var exists = connection.CreateCommand();
        exists.CommandText = connection is SqliteConnection
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
            : $"SELECT count(*) FROM information_schema.tables WHERE table_name = '{table}'";
        return Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
    }

    private static DbCommand Select(DbConnection connection, string sql, string persistenceId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = persistenceId;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Checks the journal's SQLite file (quick_check) and sets it to WAL (small commits, one fsync each).</summary>
    private static async Task CheckSqliteAsync(string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        await using var connection = new SqliteConnection($"Data Source={Path.GetFullPath(path)}");
        await connection.OpenAsync(cancellationToken);
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA quick_check";
        var verdict = (string?)await check.ExecuteScalarAsync(cancellationToken);
        if (verdict != "ok")
        {
            throw new ReplicaStartException($"journal file {path} is corrupt: {verdict}");
        }
        // WAL persists in the file; with synchronous=FULL (SQLite's default) every commit is still fsynced.
        await using var wal = connection.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL";
        await wal.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Creates the journal table, or refuses a file whose journal table another plugin wrote.</summary>
    private static void CheckNativeSchema(string path)
    {
        using var connection = new SqliteConnection($"Data Source={Path.GetFullPath(path)};Pooling=False");
        connection.Open();
        try
        {
            JournalSchema.Ensure(connection, path);
        }
        catch (InvalidDataException foreign)
        {
            throw new ReplicaStartException($"journal file {path} cannot be read: {foreign.Message}", foreign);
        }
    }

    private static string SqliteConnectionString(string path) => $"Data Source={Path.GetFullPath(path)}";

    public static string Describe(StorageSettings storage) => storage.Provider == StorageProvider.Sqlite
        ? $"SQLite file {storage.SqlitePath}"
        : "PostgreSQL";

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
