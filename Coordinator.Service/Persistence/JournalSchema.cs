using Microsoft.Data.Sqlite;

namespace Coordinator.Service.Persistence;

/// <summary>
/// The journal table as Akka.Persistence.Sql creates it in SQLite (1.5.73, linq2db's DDL, read off a file it
/// initialized), kept column for column: either plugin reads and compacts what the other wrote, so a replica-&lt;id&gt;.db
/// needs no migration in either direction, and the startup checks that read the file (StoredHistory) read one schema.
/// </summary>
internal static class JournalSchema
{
    private const string Create = """
        CREATE TABLE IF NOT EXISTS [journal]
        (
        	[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
        	[created]         INTEGER        NOT NULL,
        	[deleted]         Bit            NOT NULL,
        	[persistence_id]  NVarChar(255)  NOT NULL,
        	[sequence_number] INTEGER        NOT NULL,
        	[message]         VarBinary      NOT NULL,
        	[manifest]        NVarChar(500)      NULL,
        	[identifier]      INTEGER            NULL,
        	[writer_uuid]     NVarChar(128)      NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number);
        CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created);
        CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number);
        """;

    private static readonly string[] Columns =
        ["ordering", "created", "deleted", "persistence_id", "sequence_number", "message", "manifest", "identifier", "writer_uuid"];

    /// <summary>Creates the table in a file that has none; refuses a journal table of any other shape.</summary>
    /// <exception cref="InvalidDataException">The file's journal table was written by something else.</exception>
    public static void Ensure(SqliteConnection connection, string path)
    {
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var columns = connection.CreateCommand())
        {
            columns.CommandText = "SELECT name FROM pragma_table_info('journal')";
            using var reader = columns.ExecuteReader();
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }
        }
        if (found.Count > 0)
        {
            var missing = Columns.Where(column => !found.Contains(column)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidDataException(
                    $"the journal table of {path} lacks the column(s) {string.Join(", ", missing)} that Akka.Persistence.Sql's SQLite journal " +
                    "and coordinator.storage.journal = sqlite-native both write: it was written by another journal plugin, which neither reads");
            }
            return;
        }
        using var create = connection.CreateCommand();
        create.CommandText = Create;
        create.ExecuteNonQuery();
    }
}
