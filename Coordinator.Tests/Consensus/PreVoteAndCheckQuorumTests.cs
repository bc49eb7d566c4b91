using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Consensus;

/// <summary>
/// Issue 15: a lagging or cut-off replica kept starting elections that deposed the healthy leader. With pre-vote it
/// raises no ballot until a majority would vote, and with check-quorum a leader that no longer hears a majority
/// steps down by itself.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PreVoteAndCheckQuorumTests
{
    [Fact]
    public void A_cut_off_replica_raises_no_ballot_and_on_rejoining_does_not_depose_the_healthy_leader()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        var ballot = cluster[1].Ballot;
        bool NotThree(int from, Envelope envelope) => from != 3 && envelope.To != 3;

        RunFor(cluster, cluster.Options.ElectionTimeout * 20, NotThree);

        Assert.Equal(ProposerRole.Follower, cluster[3].Role);
        Assert.Equal(ballot, cluster[3].Promised);
        Assert.Contains(typeof(PreVote), cluster.SentEarly);

        RunFor(cluster, cluster.Options.ElectionTimeout * 3);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        RunFor(cluster, cluster.Options.ElectionTimeout);

        Assert.Equal(ProposerRole.Leader, cluster[1].Role);
        Assert.Equal(ballot, cluster[1].Ballot);
        Assert.Equal(1, cluster[3].LeaderHint);
        Assert.Single(cluster.DeliveredCommands(3));
    }

    [Fact]
    public void An_idle_leader_that_hears_its_majority_keeps_leading()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        var ballot = cluster[1].Ballot;

        RunFor(cluster, cluster.Options.ElectionTimeout * 20);

        Assert.Equal(ProposerRole.Leader, cluster[1].Role);
        Assert.Equal(ballot, cluster[1].Ballot);
        Assert.All([2, 3], id => Assert.Equal(ballot, cluster[id].Promised));
    }

    [Fact]
    public void A_leader_that_no_longer_hears_a_majority_steps_down_within_its_check_quorum_timeout()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        bool NotOne(int from, Envelope envelope) => from != 1 && envelope.To != 1;

        RunFor(cluster, cluster.Options.CheckQuorumTimeout - cluster.Options.HeartbeatInterval, NotOne, ticked: [1]);
        Assert.Equal(ProposerRole.Leader, cluster[1].Role);

        RunFor(cluster, cluster.Options.HeartbeatInterval * 2, NotOne, ticked: [1]);
        Assert.Equal(ProposerRole.Follower, cluster[1].Role);
    }

    /// <summary>
    /// A leader with one follower of two left stepped down whenever that follower stalled for an election timeout (a
    /// snapshot install of hundreds of MB, a starved thread pool), and in the fault harness two survivors never finished
    /// a catch-up that way. It gives up only after its followers would have given up on it.
    /// </summary>
    [Fact]
    public void A_leader_keeps_leading_through_its_last_followers_stall_shorter_than_the_check_quorum_timeout()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        var ballot = cluster[1].Ballot;
        cluster.Crash(3);
        bool Alive(int from, Envelope envelope) => from != 3 && envelope.To != 3;
        RunFor(cluster, cluster.Options.HeartbeatInterval * 4, Alive, ticked: [1, 2]);

        RunFor(cluster, cluster.Options.ElectionTimeout * 3 / 2, (from, envelope) => Alive(from, envelope) && from != 2, ticked: [1]);
        RunFor(cluster, cluster.Options.ElectionTimeout * 3, Alive, ticked: [1, 2]);

        Assert.Equal(ProposerRole.Leader, cluster[1].Role);
        Assert.Equal(ballot, cluster[1].Ballot);
    }

    [Fact]
    public void The_majority_side_of_a_partition_elects_a_new_leader_and_the_old_one_follows_it_after_healing()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        var ballot = cluster[1].Ballot;
        bool NotOne(int from, Envelope envelope) => from != 1 && envelope.To != 1;

        RunFor(cluster, cluster.Options.ElectionTimeout * 10, NotOne);

        var leader = Assert.Single(new[] { 2, 3 }, id => cluster[id].Role == ProposerRole.Leader);
        Assert.True(cluster[leader].Ballot > ballot);
        Assert.Equal(ProposerRole.Follower, cluster[1].Role);

        RunFor(cluster, cluster.Options.ElectionTimeout * 3);
        Assert.Equal(leader, cluster[1].LeaderHint);
        Assert.Equal(ProposerRole.Leader, cluster[leader].Role);
    }

    [Fact]
    public void A_replica_that_heard_a_leader_refuses_a_pre_vote_until_an_election_timeout_of_silence()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        var preVote = new PreVote(3, cluster[1].Ballot.Next(3), 1, 0);

        var outbox = new Outbox();
        cluster[2].Handle(preVote, cluster.Now, outbox);
        Assert.True(outbox.IsEmpty);
        cluster[1].Handle(preVote, cluster.Now, outbox);
        Assert.True(outbox.IsEmpty);

        cluster[2].Handle(preVote, cluster.Now + cluster.Options.ElectionTimeout, outbox);
        Assert.Equal(new PreVoteGranted(2, preVote.Ballot, 1), Assert.Single(outbox.Send).Message);
    }

    [Fact]
    public void A_pre_vote_below_the_promise_is_answered_with_a_nack_and_changes_nothing()
    {
        var cluster = new CoreHarness(3);
        var outbox = new Outbox();
        cluster[2].Handle(new Prepare(3, new Ballot(5, 3), 0), cluster.Now, outbox);
        outbox.Clear();

        cluster[2].Handle(new PreVote(1, new Ballot(2, 1), 1, 0), cluster.Now, outbox);

        Assert.Empty(outbox.Persist);
        Assert.Empty(outbox.Send);
        Assert.Equal(new Nack(2, new Ballot(5, 3)), Assert.Single(outbox.SendAfterPersist).Message);
        Assert.Equal(new Ballot(5, 3), cluster[2].Promised);
    }

    /// <summary>
    /// Issue 15: a leader whose own process stalled (GC, a starved thread pool) found a majority silent at its first tick
    /// after the stall, with their answers still unread in its mailbox, and deposed itself.
    /// </summary>
    [Fact]
    public void A_leader_does_not_count_its_own_stall_as_silence_but_steps_down_when_the_silence_goes_on()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        RunFor(cluster, cluster.Options.HeartbeatInterval * 4);

        cluster.Tick(1, cluster.Options.ElectionTimeout * 3);
        Assert.Equal(ProposerRole.Leader, cluster[1].Role);

        cluster.InFlight.Clear();
        RunFor(cluster, cluster.Options.CheckQuorumTimeout + cluster.Options.HeartbeatInterval * 2, pass: (from, envelope) => envelope.To != 1, ticked: [1]);
        Assert.Equal(ProposerRole.Follower, cluster[1].Role);
    }

    /// <summary>
    /// Issue 15: after a restart of every replica of a big state, the replica that had applied nothing won the election
    /// and could lead only once it had installed a 265 MB snapshot, so clients waited on it for seconds.
    /// </summary>
    [Fact]
    public void A_replica_whose_log_was_compacted_past_a_candidate_refuses_its_pre_vote_and_the_others_elect_a_current_one()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll(pass: (from, envelope) => envelope.To != 3);
        foreach (var id in new[] { 1, 2 })
        {
            cluster.Step(id, (core, outbox) => core.Compact(core.AppliedBelow, 0, [1, 2, 3], SnapshotChecksum.Of([1, 2, 3]), outbox));
        }
        var compactedBelow = cluster[2].AppliedBelow;
        Assert.True(compactedBelow > cluster[3].AppliedBelow);

        var outbox = new Outbox();
        cluster[2].Handle(new PreVote(3, cluster[1].Ballot.Next(3), 1, cluster[3].AppliedBelow), cluster.Now + cluster.Options.ElectionTimeout, outbox);
        Assert.True(outbox.IsEmpty);
        cluster[2].Handle(new PreVote(3, cluster[1].Ballot.Next(3), 2, compactedBelow), cluster.Now + cluster.Options.ElectionTimeout, outbox);
        Assert.IsType<PreVoteGranted>(Assert.Single(outbox.Send).Message);

        cluster.Crash(1);
        RunFor(cluster, cluster.Options.ElectionTimeout * 10, pass: (from, envelope) => envelope.Message is not SnapshotChunk, ticked: [2, 3]);
        Assert.Equal(ProposerRole.Leader, cluster[2].Role);
        Assert.Equal(ProposerRole.Follower, cluster[3].Role);
    }

    /// <summary>
    /// Moves time in heartbeat steps, ticking the replicas in <paramref name="ticked"/> (all by default) and delivering
    /// what <paramref name="pass"/> lets through after each step.
    /// </summary>
    private static void RunFor(CoreHarness cluster, long duration, Func<int, Envelope, bool>? pass = null, int[]? ticked = null)
    {
        var step = cluster.Options.HeartbeatInterval / 2;
        for (var elapsed = 0L; elapsed < duration; elapsed += step)
        {
            cluster.Now += step;
            foreach (var id in ticked ?? [.. cluster.Options.ReplicaIds])
            {
                cluster.Tick(id);
            }
            cluster.DeliverAll(pass);
        }
    }
}
