using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Consensus;

/// <summary>
/// Issue 15 item 5: a Prepare with round long.MaxValue used to be promised and saved, the next round wrapped negative
/// and no leader could win again, across restarts. A ballot no replica can reach is now refused wherever it appears.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BallotValidationTests
{
    private static readonly Batch Value = new(1, Ballot.Zero, 1, [CoreHarness.Command(7, 1)]);

    public static TheoryData<long, int> Unreachable => new()
    {
        { long.MaxValue, 2 },
        { Ballot.MaxRound + 1, 2 },
        { long.MinValue, 2 },
        { -1, 2 },
        { 0, 2 },
        { 5, 9 },
        { 5, 0 },
    };

    [Theory]
    [MemberData(nameof(Unreachable))]
    public void A_prepare_with_an_unreachable_ballot_is_refused_never_promised_or_persisted(long round, int owner)
    {
        var cluster = new CoreHarness(3);
        var outbox = new Outbox();

        Assert.False(cluster[1].Handle(new Prepare(2, new Ballot(round, owner), 0), 0, outbox));

        Assert.True(outbox.IsEmpty);
        Assert.Equal(Ballot.Zero, cluster[1].Promised);
    }

    [Theory]
    [MemberData(nameof(Unreachable))]
    public void Every_message_naming_an_unreachable_ballot_is_refused(long round, int owner)
    {
        var ballot = new Ballot(round, owner);
        var reachable = new Ballot(3, 2);
        PaxosMessage[] messages =
        [
            new Accept(2, ballot, 0, Value, 0),
            new Accepted(2, ballot, 0),
            new Nack(2, ballot),
            new Chosen(2, new CommitPoint(ballot, 0)),
            new LeaderCheck(2, ballot, 1),
            new LeaderCheckAck(2, ballot, 1),
            new Promise(2, ballot, 0, 0, [], IsLast: true),
            new Promise(2, reachable, 0, 0, [new Vote(0, ballot, Value)], IsLast: true),
        ];
        var cluster = new CoreHarness(3);
        foreach (var message in messages)
        {
            var outbox = new Outbox();

            Assert.False(cluster[1].Handle(message, 0, outbox), message.ToString());

            Assert.True(outbox.IsEmpty, message.ToString());
        }
        Assert.Equal(Ballot.Zero, cluster[1].Promised);
        Assert.Equal(0, cluster[1].LeaderHint);
    }

    [Fact]
    public void After_a_refused_huge_ballot_a_leader_is_still_elected_with_a_small_round_and_serves()
    {
        var cluster = new CoreHarness(3);
        foreach (var id in cluster.Options.ReplicaIds)
        {
            cluster.Step(id, (core, outbox) => core.Handle(new Prepare(2, new Ballot(long.MaxValue, 2), 0), cluster.Now, outbox));
            cluster.Step(id, (core, outbox) => core.Handle(new Chosen(2, new CommitPoint(new Ballot(long.MaxValue, 2), 0)), cluster.Now, outbox));
        }
        Assert.All(cluster.Journals.Values, Assert.Empty);

        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll();

        Assert.Equal(ProposerRole.Leader, cluster[1].Role);
        Assert.Equal(new Ballot(1, 1), cluster[1].Ballot);
        Assert.Single(cluster.DeliveredCommands(2));
    }

    [Fact]
    public void The_highest_reachable_round_is_promised_and_the_next_election_goes_above_it_without_wrapping()
    {
        var cluster = new CoreHarness(1);
        var top = new Ballot(Ballot.MaxRound, 1);
        cluster.Step(1, (core, outbox) => Assert.True(core.Handle(new Prepare(1, top, 0), cluster.Now, outbox)));
        Assert.Equal([new BallotPromised(top)], cluster.Journals[1]);
        cluster.InFlight.Clear();

        cluster.Restart(1);
        cluster.Tick(1, cluster.Options.ElectionTimeout * 3);

        Assert.Equal(ProposerRole.Candidate, cluster[1].Role);
        Assert.Equal(new Ballot(Ballot.MaxRound + 1, 1), cluster[1].Ballot);
        Assert.True(cluster[1].Ballot > top);
    }

    [Fact]
    public void The_next_round_of_any_reachable_ballot_stays_positive_and_above_it()
    {
        foreach (var round in new[] { 1L, 2L, 1L << 40, Ballot.MaxRound })
        {
            var ballot = new Ballot(round, 3);
            var next = ballot.Next(1);

            Assert.True(next > ballot);
            Assert.True(next.Round > 0);
        }
        Assert.Throws<OverflowException>(() => new Ballot(long.MaxValue, 1).Next(2));
    }
}
