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

    private static string Describe(StorageSettings storage) => storage.Provider == StorageProvider.Sqlite
        ? $"SQLite file {storage.SqlitePath}"
        : "PostgreSQL";

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
