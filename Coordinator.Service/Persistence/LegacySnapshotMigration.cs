using Akka.Persistence;
using Microsoft.Data.Sqlite;

namespace Coordinator.Service.Persistence;

/// <summary>
/// Moves the snapshots an earlier version kept in a SQLite file of their own (Akka.Persistence.Sql's <c>snapshot</c>
/// table) into the snapshot directory, newest per persistence id, then deletes the file. The journal below those
/// snapshots is already compacted away, so a replica that ignored the file would refuse to start (the amnesia check:
/// a journal compacted with no snapshot reaching back to it). The rows hold the payload exactly as the serializer wrote
/// it, with its serializer id and manifest, which is what a snapshot file holds too. Each file is durable before the
/// old one goes, so a crash in between only repeats the move.
/// </summary>
internal static class LegacySnapshotMigration
{
    /// <returns>How many snapshots were moved (0 when there was no such file).</returns>
    public static async Task<int> MoveAsync(string legacyPath, string directory, CancellationToken cancellationToken)
    {
        var legacy = new FileInfo(Path.GetFullPath(legacyPath));
        if (!legacy.Exists)
        {
            return 0;
        }
        var moved = 0;
        if (legacy.Length > 0)
        {
            await using (var connection = new SqliteConnection($"Data Source={legacy.FullName};Mode=ReadOnly;Pooling=False"))
            {
                await connection.OpenAsync(cancellationToken);
                await using var exists = connection.CreateCommand();
                exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'snapshot'";
                if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken)) > 0)
                {
                    await using var newest = connection.CreateCommand();
                    newest.CommandText = """
                        SELECT persistence_id, sequence_number, created, snapshot, manifest, serializer_id FROM snapshot s
                        WHERE sequence_number = (SELECT max(sequence_number) FROM snapshot WHERE persistence_id = s.persistence_id)
                        """;
                    await using var rows = await newest.ExecuteReaderAsync(cancellationToken);
                    while (await rows.ReadAsync(cancellationToken))
                    {
                        var created = new DateTime(Math.Clamp(rows.GetInt64(2), 0, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
                        var metadata = new SnapshotMetadata(rows.GetString(0), rows.GetInt64(1), created);
                        SnapshotFile.Write(SnapshotFile.PathOf(directory, metadata), rows.GetInt32(5),
                            rows.IsDBNull(4) ? "" : rows.GetString(4), (byte[])rows.GetValue(3));
                        moved++;
                    }
                }
            }
        }
        foreach (var suffix in new[] { "", "-journal", "-wal", "-shm" })
        {
            File.Delete(legacy.FullName + suffix);
        }
        return moved;
    }
}
