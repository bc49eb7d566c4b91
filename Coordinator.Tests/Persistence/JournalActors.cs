using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Persistence;

/// <summary>An actor system whose journal is a real SQLite file, written by the plugin <c>coordinator.storage.journal</c> names.</summary>
internal sealed class JournalSystem : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private JournalSystem(ActorSystem system, StorageSettings storage) => (System, Storage) = (system, storage);

    public ActorSystem System { get; }

    public StorageSettings Storage { get; }

    public static async Task<JournalSystem> StartAsync(string file, string journal)
    {
        var storage = StorageSettings.Create(
            ConfigurationFactory.ParseString($"journal = {journal}").WithFallback(ReplicaHost.ReferenceConfig.GetConfig(StorageSettings.Path)), file);
        await JournalStore.CheckAsync(storage, CancellationToken.None);
        var config = ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = OFF\nakka.stdout-loglevel = OFF")
            .WithFallback(JournalStore.PersistenceConfig(storage))
            .WithFallback(ReplicaHost.ReferenceConfig)
            .WithFallback(SqlPersistence.DefaultConfiguration);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = JournalStore.PersistenceSetup(storage) is { } persistence
            ? ActorSystem.Create("journal-test", bootstrap.And(persistence))
            : ActorSystem.Create("journal-test", bootstrap);
        return new JournalSystem(system, storage);
    }

    /// <summary>Starts the actor of <paramref name="persistenceId"/> and waits for what it recovered.</summary>
    public async Task<(IActorRef Actor, Recovered Recovered)> RecoverAsync(string persistenceId)
    {
        var recovered = new TaskCompletionSource<Recovered>(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = System.ActorOf(Props.Create(() => new EventWriter(persistenceId, recovered)));
        return (actor, await recovered.Task.WaitAsync(Patience));
    }

    public static async Task<T> AskAsync<T>(IActorRef actor, object message) => await actor.Ask<T>(message, Patience);

    public async ValueTask DisposeAsync()
    {
        await System.Terminate();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}

/// <summary>What an <see cref="EventWriter"/> replayed (events not deleted, in order) and its highest sequence number.</summary>
internal sealed record Recovered(IReadOnlyList<object> Events, long LastSequenceNr);

/// <summary>Persists these events with one PersistAllAsync (one AtomicWrite), as the replica does; answers <see cref="Written"/>.</summary>
internal sealed record Write(IReadOnlyList<object> Events);

internal sealed record Written(long LastSequenceNr, Exception? Rejected);

/// <summary>Deletes the journal up to this sequence number; answers true when the journal says it did.</summary>
internal sealed record DeleteTo(long SequenceNr);

/// <summary>A persistent actor that records what it recovers and persists what it is told, one write at a time.</summary>
internal sealed class EventWriter : UntypedPersistentActor
{
    private readonly TaskCompletionSource<Recovered> _recovered;
    private readonly List<object> _events = [];
    private IActorRef? _deleteAsker;
    private IActorRef? _writeAsker;

    public EventWriter(string persistenceId, TaskCompletionSource<Recovered> recovered) => (PersistenceId, _recovered) = (persistenceId, recovered);

    public override string PersistenceId { get; }

    protected override void OnRecover(object message)
    {
        if (message is RecoveryCompleted)
        {
            _recovered.TrySetResult(new Recovered([.. _events], LastSequenceNr));
        }
        else
        {
            _events.Add(message);
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Write write:
                _writeAsker = Sender;
                var remaining = write.Events.Count;
                PersistAllAsync(write.Events.ToImmutableArray(), _ =>
                {
                    if (--remaining == 0)
                    {
                        _writeAsker.Tell(new Written(LastSequenceNr, null));
                    }
                });
                break;
            case DeleteTo delete:
                _deleteAsker = Sender;
                DeleteMessages(delete.SequenceNr);
                break;
            case DeleteMessagesSuccess:
                _deleteAsker?.Tell(true);
                break;
            case DeleteMessagesFailure:
                _deleteAsker?.Tell(false);
                break;
        }
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        _writeAsker?.Tell(new Written(LastSequenceNr, cause));
}

/// <summary>A payload Akka's default serializer cannot write: reading its property throws.</summary>
internal sealed class Unserializable
{
    public int Value => throw new InvalidOperationException("not serializable");
}
