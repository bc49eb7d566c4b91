using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Microsoft.Data.Sqlite;

namespace Coordinator.Bench;

/// <summary>
/// What one journal write costs, as the replica makes it: a persistent actor calls <c>PersistAllAsync</c> with one
/// <see cref="ValueAccepted"/> (a vote for a one-command batch, serialized by the replica's serializer) and waits for
/// its callback before the next, on a SQLite file in WAL mode with synchronous=FULL. Beside it, the floor: the same
/// serialized event inserted by one prepared statement on one connection, in one transaction, committed. Prints the
/// per-write latency percentiles, and the CPU the whole process spent per write.
/// <c>--workload journal --journals raw,sql,sqlite-native --writes N --warmup-writes N --payload BYTES --writers N</c>
/// (<c>--writers</c>: that many actors, each with its own persistence id, writing at once; raw always has one).
/// </summary>
internal static class JournalBench
{
    public static int Run(string[] args)
    {
        var writes = int.Parse(Program.ArgValue(args, "--writes") ?? "2000", CultureInfo.InvariantCulture);
        var warmup = int.Parse(Program.ArgValue(args, "--warmup-writes") ?? "500", CultureInfo.InvariantCulture);
        var payload = int.Parse(Program.ArgValue(args, "--payload") ?? "100", CultureInfo.InvariantCulture);
        var writers = int.Parse(Program.ArgValue(args, "--writers") ?? "1", CultureInfo.InvariantCulture);
        var journals = (Program.ArgValue(args, "--journals") ?? "raw,sql,sqlite-native").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var directory = Directory.CreateTempSubdirectory("coordinator-journal-bench-");
        try
        {
            foreach (var (journal, run) in journals.Select((journal, run) => (journal, run)))
            {
                var file = Path.Combine(directory.FullName, $"{run}-{journal}.db");
                var (latencies, elapsed, cpu) = journal == "raw"
                    ? Raw(file, warmup, writes, payload)
                    : ThroughAkka(file, journal, warmup, writes, payload, writers);
                latencies.Sort();
                var (mode, synchronous) = Pragmas(file);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"journal={journal} writers={(journal == "raw" ? 1 : writers)} writes={latencies.Count} payload={payload} " +
                    $"p50_ms={At(latencies, 0.50):F3} p90_ms={At(latencies, 0.90):F3} p99_ms={At(latencies, 0.99):F3} max_ms={At(latencies, 1):F3} " +
                    $"writes_per_sec={latencies.Count / elapsed.TotalSeconds:F0} cpu_us_per_write={cpu.TotalMicroseconds / latencies.Count:F0} " +
                    $"journal_mode={mode} synchronous={synchronous}"));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
        return 0;
    }

    private static double At(List<double> sorted, double quantile) => sorted[Math.Min(sorted.Count - 1, (int)(quantile * sorted.Count))];

    private static ValueAccepted Event(long slot, int payload)
    {
        var term = new Ballot(1, 1);
        var stamp = 1_700_000_000_000 + slot;
        return new ValueAccepted(new Vote(slot, term, new Batch(stamp, term, stamp, [new Command(7, slot, new byte[payload])])));
    }

    /// <summary>One connection, WAL, synchronous=FULL as every journal connection has, one prepared insert per write.</summary>
    private static (List<double> Latencies, TimeSpan Elapsed, TimeSpan Cpu) Raw(string file, int warmup, int writes, int payload)
    {
        using var system = ActorSystem.Create("journal-bench-raw", ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(ReplicaHost.ReferenceConfig));
        var serialization = system.Serialization;
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                CREATE TABLE events (persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, manifest TEXT NOT NULL,
                  identifier INTEGER NOT NULL, message BLOB NOT NULL, PRIMARY KEY (persistence_id, sequence_number));
                """;
            setup.ExecuteNonQuery();
        }
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO events VALUES ('raw', $seq, $manifest, $identifier, $message)";
        var sequence = insert.Parameters.Add("$seq", SqliteType.Integer);
        var manifest = insert.Parameters.Add("$manifest", SqliteType.Text);
        var identifier = insert.Parameters.Add("$identifier", SqliteType.Integer);
        var message = insert.Parameters.Add("$message", SqliteType.Blob);
        insert.Prepare();
        var latencies = new List<double>(writes);
        var stopwatch = new Stopwatch();
        var cpuBefore = TimeSpan.Zero;
        for (var i = 1; i <= warmup + writes; i++)
        {
            if (i == warmup + 1)
            {
                stopwatch.Start();
                cpuBefore = Cpu();
            }
            var started = Stopwatch.GetTimestamp();
            var written = Event(i, payload);
            var serializer = serialization.FindSerializerFor(written);
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            sequence.Value = i;
            manifest.Value = Akka.Serialization.Serialization.ManifestFor(serializer, written);
            identifier.Value = serializer.Identifier;
            message.Value = serializer.ToBinary(written);
            insert.ExecuteNonQuery();
            transaction.Commit();
            if (i > warmup)
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        return (latencies, stopwatch.Elapsed, Cpu() - cpuBefore);
    }

    /// <summary>CPU time of the whole process, every thread: the actor system's and the journal's as well as this one.</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static (List<double> Latencies, TimeSpan Elapsed, TimeSpan Cpu) ThroughAkka(string file, string journal, int warmup, int writes, int payload, int writers)
    {
        var storage = StorageSettings.Create(
            ConfigurationFactory.ParseString($"journal = {journal}").WithFallback(ReplicaHost.ReferenceConfig.GetConfig(StorageSettings.Path)), file);
        JournalStore.CheckAsync(storage, CancellationToken.None).GetAwaiter().GetResult();
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local")
            .WithFallback(JournalStore.PersistenceConfig(storage))
            .WithFallback(ReplicaHost.ReferenceConfig)
            .WithFallback(SqlPersistence.DefaultConfiguration);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        using var system = JournalStore.PersistenceSetup(storage) is { } persistence
            ? ActorSystem.Create("journal-bench", bootstrap.And(persistence))
            : ActorSystem.Create("journal-bench", bootstrap);
        Drive(system, warmup, payload, writers);
        var cpuBefore = Cpu();
        var stopwatch = Stopwatch.StartNew();
        var latencies = Drive(system, writes, payload, writers);
        var elapsed = stopwatch.Elapsed;
        var cpu = Cpu() - cpuBefore;
        system.Terminate().Wait();
        return (latencies, elapsed, cpu);
    }

    private static List<double> Drive(ActorSystem system, int writes, int payload, int writers)
    {
        var done = Enumerable.Range(0, writers).Select(writer =>
        {
            var finished = new TaskCompletionSource<List<double>>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new Writer($"bench-{Guid.NewGuid():N}", writes / writers, payload, finished)));
            return finished.Task;
        }).ToArray();
        Task.WaitAll(done);
        return [.. done.SelectMany(task => task.Result)];
    }

    /// <summary>Writes its events one after another, each as the replica does: PersistAllAsync, then wait for the callback.</summary>
    private sealed class Writer : UntypedPersistentActor
    {
        private readonly int _writes;
        private readonly int _payload;
        private readonly TaskCompletionSource<List<double>> _finished;
        private readonly List<double> _latencies;

        public Writer(string persistenceId, int writes, int payload, TaskCompletionSource<List<double>> finished)
        {
            PersistenceId = persistenceId;
            (_writes, _payload, _finished, _latencies) = (writes, payload, finished, new List<double>(writes));
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            if (message is RecoveryCompleted)
            {
                Write(1);
            }
        }

        protected override void OnCommand(object message) => Unhandled(message);

        private void Write(long sequence)
        {
            var started = Stopwatch.GetTimestamp();
            PersistAllAsync(ImmutableArray.Create<AcceptorEvent>(Event(sequence, _payload)), _ =>
            {
                _latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (_latencies.Count == _writes)
                {
                    _finished.TrySetResult(_latencies);
                    Context.Stop(Self);
                }
                else
                {
                    Write(sequence + 1);
                }
            });
        }
    }

    /// <summary>What a fresh connection to the file gets: its journal mode, then (2 = FULL) how it syncs its commits.</summary>
    private static (string JournalMode, string Synchronous) Pragmas(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        var mode = Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
        command.CommandText = "PRAGMA synchronous";
        return (mode, Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "");
    }
}
