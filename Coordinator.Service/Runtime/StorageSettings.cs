using Akka.Configuration;

namespace Coordinator.Service.Runtime;

internal enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where a replica's journal and snapshots live: two SQLite files (the journal, and its snapshots beside it), or a
/// PostgreSQL database.
/// </summary>
internal sealed record StorageSettings(StorageProvider Provider, string SqlitePath, string PostgresConnectionString)
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
        if (provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(postgres))
        {
            throw new ConfigurationException($"{Path}.provider = postgres needs {Path}.postgres-connection-string.");
        }
        return new StorageSettings(provider, string.IsNullOrWhiteSpace(sqlitePath) ? defaultSqlitePath : sqlitePath, postgres);
    }
}
