using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Consensus;

[Trait("Category", "Unit")]
public sealed class AcceptorTests
{
    private static readonly Batch ValueA = new(10, Ballot.Zero, 10, [CoreHarness.Command(1, 1, "a")]);
    private static readonly Batch ValueB = new(20, Ballot.Zero, 20, [CoreHarness.Command(1, 2, "b")]);
    private static readonly PaxosOptions Options = new() { ReplicaIds = [1, 2, 3] };

    // Room for one of these votes per message, not two.
    private static readonly PaxosOptions OneVotePerMessage = Options with { MaxMessageBytes = (int)MessageSize.Of(new Vote(0, Ballot.Zero, ValueA)) + 1 };

    [Fact]
    public void Promise_carries_earlier_votes_at_or_above_the_prepared_slot_in_slot_order()
    {
        var acceptor = Acceptor.Recover(1, Options, []);
        var outbox = new Outbox();
        acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 7, ValueB, 0), outbox);
        acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 3, ValueA, 0), outbox);
        acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 1, ValueA, 0), outbox);
        outbox.Clear();

        acceptor.OnPrepare(new Prepare(3, new Ballot(2, 3), FromSlot: 2), outbox);

        var promise = Assert.IsType<Promise>(Assert.Single(outbox.SendAfterPersist).Message);
        Assert.Equal(new Ballot(2, 3), promise.Ballot);
        Assert.Equal([3L, 7L], promise.Votes.Select(vote => vote.Slot));
        Assert.Equal(ValueB, promise.Votes[1].Value);
        Assert.Equal(new Ballot(1, 2), promise.Votes[1].Ballot);
    }

    [Fact]
    public void Persists_the_promise_and_the_vote_in_the_same_outbox_as_the_reply()
    {
        var acceptor = Acceptor.Recover(1, Options, []);
        var outbox = new Outbox();

        acceptor.OnPrepare(new Prepare(2, new Ballot(1, 2), 0), outbox);
        Assert.Equal([new BallotPromised(new Ballot(1, 2))], outbox.Persist);
        outbox.Clear();

        acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 0, ValueA, 0), outbox);
        Assert.Equal([new ValueAccepted(new Vote(0, new Ballot(1, 2), ValueA))], outbox.Persist);
        Assert.IsType<Accepted>(Assert.Single(outbox.SendAfterPersist).Message);
    }

    [Fact]
    public void Refuses_prepares_and_accepts_below_its_promise_with_a_nack_naming_the_promise()
    {
        var acceptor = Acceptor.Recover(1, Options, []);
        var outbox = new Outbox();
        acceptor.OnPrepare(new Prepare(3, new Ballot(5, 3), 0), outbox);
        outbox.Clear();

        acceptor.OnPrepare(new Prepare(2, new Ballot(4, 2), 0), outbox);
        var vote = acceptor.OnAccept(new Accept(2, new Ballot(5, 2), 0, ValueA, 0), outbox);

        Assert.Null(vote);
        Assert.Empty(outbox.Persist);
        Assert.All(outbox.SendAfterPersist, envelope =>
        {
            Assert.Equal(2, envelope.To);
            Assert.Equal(new Nack(1, new Ballot(5, 3)), envelope.Message);
        });
        Assert.Equal(2, outbox.SendAfterPersist.Count);
        Assert.Empty(acceptor.Votes);
    }

    [Fact]
    public void A_duplicate_accept_is_acknowledged_again_without_a_second_journal_write()
    {
        var acceptor = Acceptor.Recover(1, Options, []);
        var outbox = new Outbox();
        var accept = new Accept(2, new Ballot(1, 2), 0, ValueA, 0);
        acceptor.OnAccept(accept, outbox);
        outbox.Clear();

        acceptor.OnAccept(accept, outbox);

        Assert.Empty(outbox.Persist);
        Assert.Equal(new Accepted(1, new Ballot(1, 2), 0), Assert.Single(outbox.SendAfterPersist).Message);
    }

    [Fact]
    public void Recovery_from_the_journal_restores_the_promise_votes_and_floor()
    {
        var live = Acceptor.Recover(1, Options, []);
        var outbox = new Outbox();
        live.OnPrepare(new Prepare(2, new Ballot(3, 2), 0), outbox);
        live.OnAccept(new Accept(2, new Ballot(3, 2), 0, ValueA, 0), outbox);
        live.OnAccept(new Accept(2, new Ballot(3, 2), 1, ValueB, 0), outbox);
        live.Truncate(1, outbox);
        live.OnPrepare(new Prepare(3, new Ballot(4, 3), 0), outbox);

        var recovered = Acceptor.Recover(1, Options, outbox.Persist);

        Assert.Equal(new Ballot(4, 3), recovered.Promised);
        Assert.Equal(1, recovered.Floor);
        Assert.Equal([new Vote(1, new Ballot(3, 2), ValueB)], recovered.Votes);
    }

    [Fact]
    public void An_accept_below_the_floor_is_acknowledged_but_not_stored()
    {
        var acceptor = Acceptor.Recover(1, Options, [new LogTruncated(10)]);
        var outbox = new Outbox();

        var vote = acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 4, ValueA, 0), outbox);

        Assert.Null(vote);
        Assert.Empty(outbox.Persist);
        Assert.Equal(new Accepted(1, new Ballot(1, 2), 4), Assert.Single(outbox.SendAfterPersist).Message);
        Assert.Empty(acceptor.Votes);
    }

    [Fact]
    public void A_promise_too_big_for_one_message_comes_in_parts_asked_for_with_the_same_ballot()
    {
        var acceptor = Acceptor.Recover(1, OneVotePerMessage, []);
        var outbox = new Outbox();
        foreach (var slot in new long[] { 1, 3, 7 })
        {
            acceptor.OnAccept(new Accept(2, new Ballot(1, 2), slot, ValueA, 0), outbox);
        }
        var ballot = new Ballot(2, 3);
        var parts = new List<Promise>();
        var fromSlot = 0L;
        while (parts.Count < 10)
        {
            outbox.Clear();
            acceptor.OnPrepare(new Prepare(3, ballot, fromSlot), outbox);
            var part = Assert.IsType<Promise>(Assert.Single(outbox.SendAfterPersist).Message);
            parts.Add(part);
            if (part.IsLast)
            {
                break;
            }
            fromSlot = part.Votes[^1].Slot + 1;
        }

        Assert.Equal([1L, 3L, 7L], parts.SelectMany(part => part.Votes).Select(vote => vote.Slot));
        Assert.Equal([false, false, true], parts.Select(part => part.IsLast));
        Assert.Equal([0L, 2L, 4L], parts.Select(part => part.FromSlot));
        Assert.All(parts, part => Assert.Single(part.Votes));
    }

    [Fact]
    public void A_vote_for_a_higher_ballot_between_parts_makes_the_next_part_a_refusal()
    {
        var acceptor = Acceptor.Recover(1, OneVotePerMessage, []);
        var outbox = new Outbox();
        acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 1, ValueA, 0), outbox);
        acceptor.OnAccept(new Accept(2, new Ballot(1, 2), 2, ValueA, 0), outbox);
        acceptor.OnPrepare(new Prepare(3, new Ballot(2, 3), 0), outbox);
        acceptor.OnAccept(new Accept(2, new Ballot(3, 2), 2, ValueB, 0), outbox);
        outbox.Clear();

        acceptor.OnPrepare(new Prepare(3, new Ballot(2, 3), 2), outbox);

        Assert.Equal(new Nack(1, new Ballot(3, 2)), Assert.Single(outbox.SendAfterPersist).Message);
    }
}
