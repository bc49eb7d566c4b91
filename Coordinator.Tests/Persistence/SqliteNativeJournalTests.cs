using Coordinator.Core.Consensus;
using Coordinator.Service.Persistence;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Coordinator.Tests.Persistence;

/// <summary>
/// The sqlite-native journal on real SQLite files: what it writes reads back, through Akka.Persistence and through
/// Akka.Persistence.Sql on the same file; concurrent writes committed as one group keep their own results; compaction
/// keeps what the startup checks read.
/// </summary>
[Trait("Category", "Persistence")]
public sealed class SqliteNativeJournalTests : IDisposable
{
    private const string Native = "sqlite-native";
    private const string Sql = "sql";

    private readonly TempDirectory _directory = new("native-journal");

    private string File => Path.Combine(_directory.Path, "replica-1.db");

    public void Dispose() => _directory.Dispose();

    private static Batch OneCommand(long slot, int bytes) =>
        new(1_700_000_000_000 + slot, new Ballot(3, 1), 42 + slot, [new Command(7, slot, [.. Enumerable.Range(0, bytes).Select(i => (byte)i)])]);

    private static IReadOnlyList<object> Events(long fromSlot, int count) =>
        [.. Enumerable.Range(0, count).Select(i => (object)new ValueAccepted(new Vote(fromSlot + i, new Ballot(3, 1), OneCommand(fromSlot + i, 10 + i))))];

    [Fact]
    public async Task What_the_replica_persists_replays_in_order_after_a_restart()
    {
        var written = new List<object>
        {
            new BallotPromised(new Ballot(3, 1)),
        };
        written.AddRange(Events(1, 4));
        written.Add(new LogTruncated(2));
        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            var (actor, recovered) = await journal.RecoverAsync("replica-1");
            Assert.Empty(recovered.Events);
            // One event per write, as a follower's vote, then several in one AtomicWrite.
            Assert.Equal(1, (await JournalSystem.AskAsync<Written>(actor, new Write([written[0]]))).LastSequenceNr);
            Assert.Equal(2, (await JournalSystem.AskAsync<Written>(actor, new Write([written[1]]))).LastSequenceNr);
            Assert.Equal(6, (await JournalSystem.AskAsync<Written>(actor, new Write(written[2..]))).LastSequenceNr);
        }

        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            var (_, recovered) = await journal.RecoverAsync("replica-1");
            Assert.Equal(written, recovered.Events);
            Assert.Equal(6, recovered.LastSequenceNr);
            Assert.Empty((await journal.RecoverAsync("replica-2")).Recovered.Events);
        }

        // Stored as Akka.Persistence.Sql stores it: the replica serializer's id and manifest beside the bytes.
        await using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        await connection.OpenAsync();
        await using var rows = connection.CreateCommand();
        rows.CommandText = "SELECT DISTINCT manifest, identifier FROM journal ORDER BY manifest";
        await using var reader = await rows.ExecuteReaderAsync();
        var stored = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            stored.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        Assert.Equal(3, stored.Count);
        Assert.All(stored, row => Assert.Equal(7301, row.Item2));
    }

    [Fact]
    public async Task Writes_queued_behind_a_commit_go_in_one_transaction_and_each_atomic_write_keeps_its_own_result()
    {
        using (var journal = new JournalFile(File))
        {
            Assert.Null(Assert.Single(await journal.WriteAsync([[Row("a", 1)]])));
            // Hold the journal's thread inside a replay, so every write below queues and commits as one group.
            using var hold = new ManualResetEventSlim();
            var replaying = journal.ReplayAsync("a", 1, 1, 1, _ => hold.Wait(TimeSpan.FromSeconds(30)));
            var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(() => journal.WriteAsync(
            [
                [Row($"w{writer}", 1)],
                [Row($"w{writer}", 2), Row($"w{writer}", 3)],
            ]))).ToList();
            var duplicate = journal.WriteAsync([[Row("a", 1)]]);
            var halfDuplicate = journal.WriteAsync([[Row("b", 1), Row("a", 1)], null, [Row("c", 1)]]);
            await Task.Delay(100);
            hold.Set();
            await replaying;

            foreach (var results in await Task.WhenAll(writers))
            {
                Assert.Equal(2, results.Length);
                Assert.All(results, Assert.Null);
            }
            Assert.IsType<SqliteException>(Assert.Single(await duplicate));
            var mixed = await halfDuplicate;
            Assert.IsType<SqliteException>(mixed[0]);
            Assert.Null(mixed[1]);
            Assert.Null(mixed[2]);

            foreach (var writer in Enumerable.Range(0, 8))
            {
                Assert.Equal(3, await journal.HighestSequenceNrAsync($"w{writer}"));
            }
            // The refused atomic write left nothing, not even its first event; its neighbour in the call went in.
            Assert.Equal(0, await journal.HighestSequenceNrAsync("b"));
            Assert.Equal(1, await journal.HighestSequenceNrAsync("c"));
        }
    }

    [Fact]
    public async Task Concurrent_persistent_actors_each_get_their_own_results_and_an_unserializable_event_is_rejected_alone()
    {
        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            var actors = await Task.WhenAll(Enumerable.Range(1, 6).Select(id => journal.RecoverAsync($"writer-{id}")));
            var (rejecting, _) = await journal.RecoverAsync("rejecting");
            var writes = actors.Select(async (writer, index) =>
            {
                for (var i = 0; i < 20; i++)
                {
                    var written = await JournalSystem.AskAsync<Written>(writer.Actor, new Write(Events(index * 100 + i, 1)));
                    Assert.Null(written.Rejected);
                    Assert.Equal(i + 1, written.LastSequenceNr);
                }
            }).ToList();
            var rejected = await JournalSystem.AskAsync<Written>(rejecting, new Write([new Unserializable()]));
            await Task.WhenAll(writes);

            Assert.NotNull(rejected.Rejected);
            // The rejected event took sequence number 1 and stored nothing; the actor goes on writing.
            var after = await JournalSystem.AskAsync<Written>(rejecting, new Write(Events(900, 1)));
            Assert.Null(after.Rejected);
            Assert.Equal(2, after.LastSequenceNr);
        }

        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            foreach (var index in Enumerable.Range(0, 6))
            {
                var (_, recovered) = await journal.RecoverAsync($"writer-{index + 1}");
                Assert.Equal(Enumerable.Range(0, 20).SelectMany(i => Events(index * 100 + i, 1)), recovered.Events);
            }
            Assert.Equal(Events(900, 1), (await journal.RecoverAsync("rejecting")).Recovered.Events);
        }
    }

    [Fact]
    public async Task Compaction_deletes_below_the_snapshot_and_keeps_the_highest_deleted_event_as_the_mark()
    {
        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            var (actor, _) = await journal.RecoverAsync("replica-1");
            foreach (var slot in Enumerable.Range(1, 10))
            {
                await JournalSystem.AskAsync<Written>(actor, new Write(Events(slot, 1)));
            }
            Assert.True(await JournalSystem.AskAsync<bool>(actor, new DeleteTo(6)));
        }
        var history = await JournalStore.ReadHistoryAsync(new StorageSettings(StorageProvider.Sqlite, File, "", SqliteJournal.Native), "replica-1", CancellationToken.None);
        Assert.Equal((6, 10), (history.JournalLowest, history.JournalHighest));

        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            var (actor, recovered) = await journal.RecoverAsync("replica-1");
            Assert.Equal(Enumerable.Range(7, 4).SelectMany(slot => Events(slot, 1)), recovered.Events);
            Assert.True(await JournalSystem.AskAsync<bool>(actor, new DeleteTo(10)));
        }

        // Everything deleted: the sequence numbers still go on from the last one, never reused.
        await using (var journal = await JournalSystem.StartAsync(File, Native))
        {
            var (actor, recovered) = await journal.RecoverAsync("replica-1");
            Assert.Empty(recovered.Events);
            Assert.Equal(10, recovered.LastSequenceNr);
            Assert.Equal(11, (await JournalSystem.AskAsync<Written>(actor, new Write(Events(11, 1)))).LastSequenceNr);
        }
    }

    [Theory]
    [InlineData(Sql, Native)]
    [InlineData(Native, Sql)]
    public async Task A_journal_written_by_one_plugin_is_read_compacted_and_extended_by_the_other(string first, string second)
    {
        await using (var journal = await JournalSystem.StartAsync(File, first))
        {
            var (actor, _) = await journal.RecoverAsync("replica-1");
            foreach (var slot in Enumerable.Range(1, 5))
            {
                await JournalSystem.AskAsync<Written>(actor, new Write(Events(slot, 1)));
            }
            Assert.True(await JournalSystem.AskAsync<bool>(actor, new DeleteTo(2)));
        }
        await using (var journal = await JournalSystem.StartAsync(File, second))
        {
            var (actor, recovered) = await journal.RecoverAsync("replica-1");
            Assert.Equal(Enumerable.Range(3, 3).SelectMany(slot => Events(slot, 1)), recovered.Events);
            Assert.Equal(6, (await JournalSystem.AskAsync<Written>(actor, new Write(Events(6, 1)))).LastSequenceNr);
            Assert.True(await JournalSystem.AskAsync<bool>(actor, new DeleteTo(4)));
        }
        await using (var journal = await JournalSystem.StartAsync(File, first))
        {
            var (_, recovered) = await journal.RecoverAsync("replica-1");
            Assert.Equal(Enumerable.Range(5, 2).SelectMany(slot => Events(slot, 1)), recovered.Events);
            Assert.Equal(6, recovered.LastSequenceNr);
        }
    }

    [Fact]
    public async Task A_journal_table_of_another_shape_is_refused_with_the_columns_it_lacks()
    {
        await using (var connection = new SqliteConnection($"Data Source={File};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var foreign = connection.CreateCommand();
            foreign.CommandText = "CREATE TABLE journal (ordering INTEGER PRIMARY KEY, persistence_id TEXT, sequence_nr INTEGER, payload BLOB)";
            await foreign.ExecuteNonQueryAsync();
        }
        var storage = new StorageSettings(StorageProvider.Sqlite, File, "", SqliteJournal.Native);

        var refusal = await Assert.ThrowsAsync<ReplicaStartException>(() => JournalStore.CheckAsync(storage, CancellationToken.None));

        Assert.Contains("replica-1.db", refusal.Message);
        Assert.Contains("lacks the column(s) created, deleted, sequence_number, message, manifest, identifier, writer_uuid", refusal.Message);
    }

    [Fact]
    public void The_journal_setting_names_one_of_the_two_plugins_and_defaults_to_sqlite_native()
    {
        var section = ReplicaHost.ReferenceConfig.GetConfig(StorageSettings.Path);
        Assert.Equal(SqliteJournal.Native, StorageSettings.Create(section, File).Journal);
        Assert.Equal(SqliteJournal.Sql, StorageSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("journal = sql").WithFallback(section), File).Journal);

        var refused = Assert.Throws<Akka.Configuration.ConfigurationException>(() =>
            StorageSettings.Create(Akka.Configuration.ConfigurationFactory.ParseString("journal = leveldb").WithFallback(section), File));

        Assert.Equal("coordinator.storage.journal = 'leveldb': expected sqlite-native or sql.", refused.Message);
    }

    private static JournalRow Row(string persistenceId, long sequenceNr) =>
        new(persistenceId, sequenceNr, [1, 2, 3], "EV", 7301, null, DateTime.UtcNow.Ticks);
}
