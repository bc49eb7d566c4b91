using System.Text;
using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Consensus;

/// <summary>
/// A hand-driven cluster of replica cores for scenario tests: the test decides which message is delivered, dropped
/// or duplicated and when each replica's clock moves. Jitter is zero, so only the ticked replica times out.
/// </summary>
internal sealed class CoreHarness
{
    private readonly Dictionary<int, ReplicaCore?> _cores = [];

    public CoreHarness(int replicas, Func<PaxosOptions, PaxosOptions>? tune = null)
    {
        var options = new PaxosOptions { ReplicaIds = [.. Enumerable.Range(1, replicas)] };
        Options = tune?.Invoke(options) ?? options;
        foreach (var id in Options.ReplicaIds)
        {
            Journals[id] = [];
            Delivered[id] = [];
            Restart(id);
        }
    }

    public PaxosOptions Options { get; }

    public long Now { get; set; }

    public List<(int From, Envelope Envelope)> InFlight { get; } = [];

    public Dictionary<int, List<AcceptorEvent>> Journals { get; } = [];

    public Dictionary<int, List<SlotDelivered>> Delivered { get; } = [];

    /// <summary>The message types the cores listed as free to leave before their journal write.</summary>
    public HashSet<Type> SentEarly { get; } = [];

    /// <summary>The message types the cores listed as waiting for their journal write.</summary>
    public HashSet<Type> SentAfterPersist { get; } = [];

    /// <summary>Every read index answer, with the replica that gave it.</summary>
    public List<(int Replica, ReadIndexAnswer Answer)> ReadAnswers { get; } = [];

    public ReplicaCore this[int id] => _cores[id] ?? throw new InvalidOperationException($"replica {id} is down");

    public static Command Command(long session, long sequence, string payload = "x") =>
        new(session, sequence, Encoding.UTF8.GetBytes(payload));

    public void Restart(int id)
    {
        _cores[id] = ReplicaCore.Recover(id, Options, Journals[id], snapshot: null, new ZeroJitter());
        Delivered[id].Clear();
        _cores[id]!.Start(Now);
    }

    public void Crash(int id)
    {
        _cores[id] = null;
        InFlight.RemoveAll(message => message.Envelope.To == id);
    }

    public void Step(int id, Action<ReplicaCore, Outbox> input)
    {
        var outbox = new Outbox();
        input(this[id], outbox);
        Journals[id].AddRange(outbox.Persist);
        InFlight.AddRange(outbox.Send.Concat(outbox.SendAfterPersist).Select(envelope => (id, envelope)));
        SentEarly.UnionWith(outbox.Send.Select(envelope => envelope.Message.GetType()));
        SentAfterPersist.UnionWith(outbox.SendAfterPersist.Select(envelope => envelope.Message.GetType()));
        Delivered[id].AddRange(outbox.Deliver.OfType<SlotDelivered>());
        ReadAnswers.AddRange(outbox.ReadIndexes.Select(answer => (id, answer)));
    }

    public bool ReadIndex(int id, long requestId)
    {
        var asked = false;
        Step(id, (core, outbox) => asked = core.ReadIndex(requestId, Now, outbox));
        return asked;
    }

    /// <summary>Advances the clock and ticks one replica.</summary>
    public void Tick(int id, long advanceBy = 0)
    {
        Now += advanceBy;
        Step(id, (core, outbox) => core.Tick(Now, outbox));
    }

    public SubmitResult Submit(int id, Command command)
    {
        SubmitResult result = default;
        Step(id, (core, outbox) => result = core.Submit(command, Now, outbox));
        return result;
    }

    /// <summary>Delivers in-flight messages in send order until none is left; <paramref name="pass"/> false drops one.</summary>
    public int DeliverAll(Func<int, Envelope, bool>? pass = null)
    {
        var delivered = 0;
        while (InFlight.Count > 0)
        {
            var (from, envelope) = InFlight[0];
            InFlight.RemoveAt(0);
            if (_cores[envelope.To] is null || (pass is not null && !pass(from, envelope)))
            {
                continue;
            }
            Step(envelope.To, (core, outbox) => core.Handle(envelope.Message, Now, outbox));
            delivered++;
        }
        return delivered;
    }

    /// <summary>Delivers the in-flight messages <paramref name="which"/> picks, and those they cause, leaving the rest in flight.</summary>
    public void DeliverOnly(Func<Envelope, bool> which)
    {
        while (InFlight.FindIndex(message => which(message.Envelope)) is var index and >= 0)
        {
            var envelope = InFlight[index].Envelope;
            InFlight.RemoveAt(index);
            if (_cores[envelope.To] is not null)
            {
                Step(envelope.To, (core, outbox) => core.Handle(envelope.Message, Now, outbox));
            }
        }
    }

    /// <summary>Delivers the pre-votes in flight and their answers: a follower that timed out becomes a candidate.</summary>
    public void DeliverPreVotes() => DeliverOnly(envelope => envelope.Message is PreVote or PreVoteGranted);

    /// <summary>Times out <paramref name="id"/> so it runs phase 1, and delivers everything.</summary>
    public void Elect(int id, Func<int, Envelope, bool>? pass = null)
    {
        Tick(id, Options.ElectionTimeout * 3);
        DeliverAll(pass);
    }

    public Command[] DeliveredCommands(int id) => [.. Delivered[id].SelectMany(slot => slot.Value.Commands)];

    private sealed class ZeroJitter : IJitterSource
    {
        public long Next(long maxExclusive) => 0;
    }
}
