using Akka.Actor;
using Akka.Configuration;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Coordinator.Service.Serialization;

namespace Coordinator.Tests.Serialization;

/// <summary>
/// A batch names its term and leader clock in the journal and on the wire (issue 15 finding 6), and a journal written
/// before that still reads back: its batches come back without a term, measured by their stamp.
/// </summary>
[Trait("Category", "Persistence")]
public sealed class BatchEncodingTests : IDisposable
{
    /// <summary>
    /// A ValueAccepted journal event as the serializer before terms wrote it (a build of main from before this change,
    /// run once): a vote for slot 5 in ballot 2.3 of a batch stamped 1 700 000 000 123 holding command 7#3 with payload
    /// 01 02 03.
    /// </summary>
    private const string UntermedValueAccepted =
        "0105000000000000000200000000000000030000007B68E5CF8B010000010000000700000000000000030000000000000003000000010203";

    private readonly ActorSystem _system = ActorSystem.Create(
        "batch-encoding",
        ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(ReplicaHost.ReferenceConfig));

    private ReplicaSerializer Serializer => new((ExtendedActorSystem)_system);

    public void Dispose() => _system.Dispose();

    [Fact]
    public void A_journal_event_written_before_terms_reads_back_as_an_untermed_batch()
    {
        var read = Assert.IsType<ValueAccepted>(Serializer.FromBinary(Convert.FromHexString(UntermedValueAccepted), "EV"));
        Assert.Equal(5, read.Vote.Slot);
        Assert.Equal(new Ballot(2, 3), read.Vote.Ballot);
        var batch = read.Vote.Value;
        Assert.Equal(1_700_000_000_123, batch.Timestamp);
        Assert.Equal(Ballot.Zero, batch.Term);
        Assert.Equal(batch.Timestamp, batch.Clock);
        var command = Assert.Single(batch.Commands);
        Assert.Equal(new Command(7, 3, [1, 2, 3]), command);

        // Delivered, it measures by the slot's clamped stamp, as state machine time did when it was written.
        var delivered = new SlotDelivered(5, 1_700_000_000_500, batch);
        Assert.Equal(SlotTime.Untermed(1_700_000_000_500), delivered.Time);
    }

    [Fact]
    public void A_batch_keeps_its_term_and_leader_clock_through_the_journal()
    {
        var batch = new Batch(1_700_000_060_000, new Ballot(9, 2), 123_456, [new Command(7, 4, [5])]);
        var written = new ValueAccepted(new Vote(6, new Ballot(11, 1), batch));
        var read = Assert.IsType<ValueAccepted>(Serializer.FromBinary(Serializer.ToBinary(written), Serializer.Manifest(written)));
        Assert.Equal(written, read);
        Assert.Equal(new SlotTime(1_700_000_060_000, new Ballot(9, 2), 123_456), read.Vote.Value.Time);
        Assert.Equal(new SlotTime(1_700_000_070_000, new Ballot(9, 2), 123_456), new SlotDelivered(6, 1_700_000_070_000, read.Vote.Value).Time);
    }

    [Fact]
    public void A_no_op_keeps_its_term_too()
    {
        var noOp = Batch.NoOp(42, new Ballot(3, 3), 7);
        var written = new ValueAccepted(new Vote(1, new Ballot(3, 3), noOp));
        var read = Assert.IsType<ValueAccepted>(Serializer.FromBinary(Serializer.ToBinary(written), Serializer.Manifest(written)));
        Assert.True(read.Vote.Value.IsNoOp);
        Assert.Equal(noOp, read.Vote.Value);
    }
}
