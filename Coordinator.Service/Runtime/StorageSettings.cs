using Akka.Configuration;

namespace Coordinator.Service.Runtime;

internal enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Which Akka.Persistence journal writes a SQLite journal file (PostgreSQL always uses Akka.Persistence.Sql).</summary>
internal enum SqliteJournal
{
    /// <summary>The project's own plugin on Microsoft.Data.Sqlite (Persistence/SqliteJournal.cs).</summary>
    Native,
    /// <summary>Akka.Persistence.Sql (linq2db), on the same table.</summary>
    Sql,
}

/// <summary>
/// Where a replica's journal and snapshots live: a SQLite file for the journal and a directory of snapshot files beside
/// it, or a PostgreSQL database for both.
/// </summary>
internal sealed record StorageSettings(StorageProvider Provider, string SqlitePath, string PostgresConnectionString, SqliteJournal Journal = SqliteJournal.Native)
{
    public const string Path = "coordinator.storage";

    /// <summary>
    /// The directory of the snapshot files beside a SQLite journal (<c>replica-&lt;id&gt;.snapshots</c>): snapshots of
    /// hundreds of MB are written and read as plain files, at the disk's speed, and never hold the journal's one writer.
    /// </summary>
    public string SqliteSnapshotDirectory => WithoutDb(SqlitePath) + ".snapshots";

    /// <summary>Where an earlier version kept the snapshots, in a SQLite file of their own; moved once, at startup.</summary>
    public string LegacySqliteSnapshotPath => WithoutDb(SqlitePath) + ".snapshots.db";

    private static string WithoutDb(string path) => path.EndsWith(".db", StringComparison.Ordinal) ? path[..^".db".Length] : path;

    /// <summary>Reads <c>coordinator.storage</c>; an empty sqlite-path means <paramref name="defaultSqlitePath"/>.</summary>
    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static StorageSettings Create(Config section, string defaultSqlitePath)
    {
        var hocon = new HoconSection(section, Path);
        var provider = hocon.String("provider").ToLowerInvariant() switch
        {
            "sqlite" => StorageProvider.Sqlite,
            "postgres" or "postgresql" => StorageProvider.Postgres,
            var other => throw hocon.Invalid("provider", $"= '{other}': expected sqlite or postgres"),
        };
        var sqlitePath = hocon.String("sqlite-path");
        var postgres = hocon.String("postgres-connection-string");
        var journal = hocon.String("journal").ToLowerInvariant() switch
        {
            "sqlite-native" => SqliteJournal.Native,
            "sql" => SqliteJournal.Sql,
            var other => throw hocon.Invalid("journal", $"= '{other}': expected sqlite-native or sql"),
        };
        if (provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(postgres))
        {
            throw new ConfigurationException($"{Path}.provider = postgres needs {Path}.postgres-connection-string.");
        }
        return new StorageSettings(provider, string.IsNullOrWhiteSpace(sqlitePath) ? defaultSqlitePath : sqlitePath, postgres, journal);
    }
}
