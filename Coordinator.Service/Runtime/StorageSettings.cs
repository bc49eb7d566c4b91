namespace Coordinator.Service.Runtime;

internal enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Where a replica's journal and snapshots live: one SQLite file, or a PostgreSQL database.</summary>
internal sealed record StorageSettings(StorageProvider Provider, string SqlitePath, string PostgresConnectionString);
