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
/// Where a replica's journal and snapshots live: two SQLite files (the journal, and its snapshots beside it), or a
/// PostgreSQL database.
/// </summary>
internal sealed record StorageSettings(StorageProvider Provider, string SqlitePath, string PostgresConnectionString, SqliteJournal Journal = SqliteJournal.Native)
{
    public const string Path = "coordinator.storage";

    /// <summary>
    /// The SQLite file of the snapshots: its own, since SQLite lets one writer at a time into a file, and a snapshot of
    /// hundreds of MB in the journal's file held back every vote for as long as it took to write.
    /// </summary>
    public string SqliteSnapshotPath => SqlitePath.EndsWith(".db", StringComparison.Ordinal)
        ? SqlitePath[..^".db".Length] + ".snapshots.db"
        : SqlitePath + ".snapshots";

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
