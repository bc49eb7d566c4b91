using Akka.Actor.Setup;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Prepares and checks a replica's journal database before the actor system touches it, and builds the
/// Akka.Persistence.Sql configuration that points at it.
/// </summary>
internal static class JournalStore
{
    public static async Task CheckAsync(StorageSettings storage, CancellationToken cancellationToken)
    {
        try
        {
            switch (storage.Provider)
            {
                case StorageProvider.Sqlite:
                    await CheckSqliteAsync(storage.SqlitePath, cancellationToken);
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
    /// Whether the journal holds anything of <paramref name="persistenceId"/>: an event or a snapshot. A SQLite file that is
    /// missing or empty, or tables not created yet, hold nothing. Reads only; creates nothing.
    /// </summary>
    public static async Task<bool> HasHistoryAsync(StorageSettings storage, string persistenceId, CancellationToken cancellationToken)
    {
        try
        {
            switch (storage.Provider)
            {
                case StorageProvider.Sqlite:
                    var file = new FileInfo(Path.GetFullPath(storage.SqlitePath));
                    if (!file.Exists || file.Length == 0)
                    {
                        return false;
                    }
                    await using (var connection = new SqliteConnection($"Data Source={file.FullName}"))
                    {
                        await connection.OpenAsync(cancellationToken);
                        return await HoldsAnyAsync(connection, persistenceId, cancellationToken);
                    }
                default:
                    await using (var connection = new NpgsqlConnection(storage.PostgresConnectionString))
                    {
                        await connection.OpenAsync(cancellationToken);
                        return await HoldsAnyAsync(connection, persistenceId, cancellationToken);
                    }
            }
        }
        catch (Exception failure) when (failure is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException)
        {
            throw new ReplicaStartException($"journal database unavailable ({Describe(storage)}): {failure.GetBaseException().Message}", failure);
        }
    }

    /// <summary>
    /// For SQLite, the connection settings the journal and snapshot store open every connection with (see
    /// <see cref="SqliteBusyTimeout"/>); PostgreSQL needs nothing beyond its HOCON.
    /// </summary>
    public static Setup? PersistenceSetup(StorageSettings storage) => storage.Provider == StorageProvider.Sqlite
        ? new DataOptionsSetup(new DataOptions()
            .UseConnectionString(ProviderName.SQLiteMS, SqliteConnectionString(storage))
            .UseInterceptor(SqliteBusyTimeout.Instance))
        : null;

    public static Config PersistenceConfig(StorageSettings storage)
    {
        var (connectionString, provider) = storage.Provider switch
        {
            StorageProvider.Sqlite => (SqliteConnectionString(storage), ProviderName.SQLiteMS),
            _ => (storage.PostgresConnectionString, "PostgreSQL.15"),
        };
        var quoted = Quote(connectionString);
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{quoted}}
                  provider-name = "{{provider}}"
                  auto-initialize = on
                  # SQLite has one writer at a time: concurrent journal writers only queue on its lock, so one
                  # writer stream batching whatever piled up meanwhile is both faster and free of lock waits.
                  parallelism = {{(storage.Provider == StorageProvider.Sqlite ? 1 : 3)}}
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{quoted}}
                  provider-name = "{{provider}}"
                  auto-initialize = on
                }
              }
            }
            """);
    }

    private static async Task<bool> HoldsAnyAsync(System.Data.Common.DbConnection connection, string persistenceId, CancellationToken cancellationToken)
    {
        foreach (var table in (string[])["journal", "snapshot"])
        {
            await using var exists = connection.CreateCommand();
            exists.CommandText = connection is SqliteConnection
                ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
                : $"SELECT count(*) FROM information_schema.tables WHERE table_name = '{table}'";
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                continue;
            }
            await using var any = connection.CreateCommand();
            any.CommandText = $"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE persistence_id = @id LIMIT 1) AS found";
            var parameter = any.CreateParameter();
            parameter.ParameterName = "@id";
            parameter.Value = persistenceId;
            any.Parameters.Add(parameter);
            if (Convert.ToInt64(await any.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                return true;
            }
        }
        return false;
    }

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

    private static string SqliteConnectionString(StorageSettings storage) => $"Data Source={Path.GetFullPath(storage.SqlitePath)}";

    public static string Describe(StorageSettings storage) => storage.Provider == StorageProvider.Sqlite
        ? $"SQLite file {storage.SqlitePath}"
        : "PostgreSQL";

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
