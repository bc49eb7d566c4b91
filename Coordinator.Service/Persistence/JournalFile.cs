using Microsoft.Data.Sqlite;

namespace Coordinator.Service.Persistence;

/// <summary>
/// A SQLite journal file behind one connection and one thread of its own, which run every statement in the order they
/// were asked for. Writes commit as a group: every write queued while a commit runs goes into the next transaction, one
/// fsync for all of them (synchronous=FULL in WAL mode: a commit returns once its WAL frames are on disk). Each atomic
/// write still succeeds or fails alone: a multi-event one inside a savepoint, a single event by SQLite's own statement
/// rollback.
/// </summary>
/// <remarks>
/// A thread, not the thread pool: Microsoft.Data.Sqlite's async calls run synchronously anyway, and a commit that
/// waits for a pool thread on a loaded 2-core machine waits behind everything else.
/// </remarks>
internal sealed class JournalFile : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand _replay;
    private readonly SqliteCommand _highest;
    private readonly SqliteCommand _markDeleted;
    private readonly SqliteCommand _deleteMarked;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private readonly Queue<Work> _queue = new();
    private bool _closing;

    /// <exception cref="SqliteException">The file cannot be opened.</exception>
    /// <exception cref="InvalidDataException">Its journal table was written by another plugin (see <see cref="JournalSchema"/>).</exception>
    public JournalFile(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            using (var pragmas = _connection.CreateCommand())
            {
                // FULL is SQLite's default too; it is what makes an acknowledged write durable, so it is said here.
                pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000";
                pragmas.ExecuteNonQuery();
            }
            JournalSchema.Ensure(_connection, path);
            _insert = Prepare("""
                INSERT INTO journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
                VALUES ($created, 0, $id, $sequence, $message, $manifest, $serializer, $writer)
                """, ("$created", SqliteType.Integer), ("$id", SqliteType.Text), ("$sequence", SqliteType.Integer), ("$message", SqliteType.Blob),
                ("$manifest", SqliteType.Text), ("$serializer", SqliteType.Integer), ("$writer", SqliteType.Text));
            _savepoint = Prepare("SAVEPOINT atomic_write");
            _release = Prepare("RELEASE atomic_write");
            _rollbackToSavepoint = Prepare("ROLLBACK TO atomic_write");
            _replay = Prepare("""
                SELECT sequence_number, message, manifest, identifier, writer_uuid, created FROM journal
                WHERE persistence_id = $id AND sequence_number >= $from AND sequence_number <= $to AND deleted = 0
                ORDER BY sequence_number LIMIT $max
                """, ("$id", SqliteType.Text), ("$from", SqliteType.Integer), ("$to", SqliteType.Integer), ("$max", SqliteType.Integer));
            // Deleted rows count: compaction keeps the highest deleted event, so the sequence numbers go on from it.
            _highest = Prepare("SELECT max(sequence_number) FROM journal WHERE persistence_id = $id", ("$id", SqliteType.Text));
            _markDeleted = Prepare(
                "UPDATE journal SET deleted = 1 WHERE persistence_id = $id AND sequence_number <= $to AND deleted = 0",
                ("$id", SqliteType.Text), ("$to", SqliteType.Integer));
            // As Akka.Persistence.Sql compacts: every deleted event but the highest goes.
            _deleteMarked = Prepare("""
                DELETE FROM journal WHERE persistence_id = $id AND sequence_number <= $to
                AND sequence_number < (SELECT max(sequence_number) FROM journal WHERE persistence_id = $id AND deleted = 1)
                """, ("$id", SqliteType.Text), ("$to", SqliteType.Integer));
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = $"journal {Path.GetFileName(path)}" };
        _thread.Start();
    }

    /// <summary>
    /// Makes the atomic writes durable, each on its own: the result holds, per write, null when it is stored or the
    /// error that kept it out. A null entry is skipped (a write the caller rejected) and answered null. The task fails
    /// when the transaction could not commit: then none of them is stored.
    /// </summary>
    public Task<Exception?[]> WriteAsync(IReadOnlyList<JournalRow[]?> atomicWrites)
    {
        var write = new WriteWork(atomicWrites);
        Enqueue(write);
        return write.Done.Task;
    }

    /// <summary>Calls <paramref name="replayed"/>, on the journal's thread, for each event not deleted, in order.</summary>
    public Task ReplayAsync(string persistenceId, long from, long to, long max, Action<JournalRow> replayed) => Run(() =>
    {
        Bind(_replay, persistenceId, from, to, max);
        using var reader = _replay.ExecuteReader();
        while (reader.Read())
        {
            replayed(new JournalRow(
                persistenceId,
                reader.GetInt64(0),
                reader.GetFieldValue<byte[]>(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2),
                reader.IsDBNull(3)
                    ? throw new InvalidDataException($"event {reader.GetInt64(0)} of {persistenceId} names no serializer")
                    : reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt64(5)));
        }
        return true;
    });

    public Task<long> HighestSequenceNrAsync(string persistenceId) => Run(() =>
    {
        Bind(_highest, persistenceId);
        return _highest.ExecuteScalar() is long highest ? highest : 0;
    });

    /// <summary>Deletes the events up to <paramref name="to"/>, in one transaction, keeping the highest deleted one as a mark.</summary>
    public Task DeleteToAsync(string persistenceId, long to) => Run(() =>
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var command in new[] { _markDeleted, _deleteMarked })
        {
            command.Transaction = transaction;
            Bind(command, persistenceId, to);
            command.ExecuteNonQuery();
            command.Transaction = null;
        }
        transaction.Commit();
        return true;
    });

    /// <summary>Runs what was queued, then closes the file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        foreach (var command in new[] { _insert, _savepoint, _release, _rollbackToSavepoint, _replay, _highest, _markDeleted, _deleteMarked })
        {
            command.Dispose();
        }
        _connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    private Task<T> Run<T>(Func<T> operation)
    {
        var work = new Operation<T>(operation);
        Enqueue(work);
        return work.Done.Task;
    }

    private void Enqueue(Work work)
    {
        lock (_gate)
        {
            if (_closing)
            {
                throw new ObjectDisposedException(nameof(JournalFile), "the journal is closed");
            }
            _queue.Enqueue(work);
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        var group = new List<WriteWork>();
        while (true)
        {
            Work next;
            lock (_gate)
            {
                while (_queue.Count == 0 && !_closing)
                {
                    Monitor.Wait(_gate);
                }
                if (!_queue.TryDequeue(out next!))
                {
                    return;
                }
                // Every write waiting now joins this commit; a read or delete keeps its place behind them.
                if (next is WriteWork first)
                {
                    group.Add(first);
                    while (_queue.TryPeek(out var queued) && queued is WriteWork write)
                    {
                        group.Add(write);
                        _queue.Dequeue();
                    }
                }
            }
            if (group.Count > 0)
            {
                Commit(group);
                group.Clear();
            }
            else
            {
                ((Operation)next).Execute();
            }
        }
    }

    private void Commit(List<WriteWork> group)
    {
        var results = group.Select(write => new Exception?[write.AtomicWrites.Count]).ToArray();
        try
        {
            using var transaction = _connection.BeginTransaction(deferred: false);
            foreach (var command in new[] { _insert, _savepoint, _release, _rollbackToSavepoint })
            {
                command.Transaction = transaction;
            }
            for (var w = 0; w < group.Count; w++)
            {
                for (var a = 0; a < group[w].AtomicWrites.Count; a++)
                {
                    if (group[w].AtomicWrites[a] is { } rows)
                    {
                        results[w][a] = Insert(rows);
                    }
                }
            }
            transaction.Commit();
        }
        catch (Exception failure)
        {
            // Whatever failed, nothing of the group is known to be stored, and the thread must go on serving.
            foreach (var write in group)
            {
                write.Done.TrySetException(failure);
            }
            return;
        }
        finally
        {
            foreach (var command in new[] { _insert, _savepoint, _release, _rollbackToSavepoint })
            {
                command.Transaction = null;
            }
        }
        for (var w = 0; w < group.Count; w++)
        {
            group[w].Done.TrySetResult(results[w]);
        }
    }

    /// <returns>Null when every row went in; otherwise the error, with none of the rows in.</returns>
    private SqliteException? Insert(JournalRow[] rows)
    {
        var savepoint = rows.Length > 1;
        if (savepoint)
        {
            _savepoint.ExecuteNonQuery();
        }
        try
        {
            foreach (var row in rows)
            {
                Bind(_insert, row.CreatedTicks, row.PersistenceId, row.SequenceNr, row.Message, row.Manifest, row.SerializerId, (object?)row.WriterUuid ?? DBNull.Value);
                _insert.ExecuteNonQuery();
            }
        }
        catch (SqliteException refused) when (refused.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT)
        {
            if (savepoint)
            {
                _rollbackToSavepoint.ExecuteNonQuery();
                _release.ExecuteNonQuery();
            }
            return refused;
        }
        if (savepoint)
        {
            _release.ExecuteNonQuery();
        }
        return null;
    }

    private abstract class Work;

    private sealed class WriteWork(IReadOnlyList<JournalRow[]?> atomicWrites) : Work
    {
        public IReadOnlyList<JournalRow[]?> AtomicWrites { get; } = atomicWrites;

        public TaskCompletionSource<Exception?[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private abstract class Operation : Work
    {
        public abstract void Execute();
    }

    private sealed class Operation<T>(Func<T> operation) : Operation
    {
        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute()
        {
            try
            {
                Done.TrySetResult(operation());
            }
            catch (Exception failure)
            {
                Done.TrySetException(failure);
            }
        }
    }
}
