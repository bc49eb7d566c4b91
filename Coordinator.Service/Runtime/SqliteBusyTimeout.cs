using System.Data.Common;
using LinqToDB.Interceptors;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Makes SQLite itself wait (in steps of a few milliseconds) for a write lock held by another connection of the same
/// file. Without it Microsoft.Data.Sqlite answers SQLITE_BUSY by sleeping 150 ms before it retries, and the journal's
/// writes, snapshot saves and compaction deletes run on separate connections: every collision cost a commit 150 ms.
/// </summary>
internal sealed class SqliteBusyTimeout : ConnectionInterceptor
{
    public static readonly SqliteBusyTimeout Instance = new();

    private const string Pragma = "PRAGMA busy_timeout = 30000";

    public override void ConnectionOpened(ConnectionEventData eventData, DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(ConnectionEventData eventData, DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
