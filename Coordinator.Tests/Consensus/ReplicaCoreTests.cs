using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Consensus;

/// <summary>The classic Multi-Paxos cases, each driven message by message through real replica cores.</summary>
[Trait("Category", "Unit")]
public sealed class ReplicaCoreTests
{
    [Fact]
    public void A_replica_that_times_out_is_elected_with_a_majority_and_commands_are_chosen_everywhere()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        Assert.Equal(ProposerRole.Leader, cluster[1].Role);

        Assert.Equal(SubmitStatus.Queued, cluster.Submit(1, CoreHarness.Command(7, 1)).Status);
        cluster.DeliverAll();

        foreach (var id in new[] { 1, 2, 3 })
        {
            Assert.Equal([CoreHarness.Command(7, 1)], cluster.DeliveredCommands(id));
        }
    }

    [Fact]
    public void A_candidate_does_not_lead_until_its_own_acceptor_has_promised()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1, pass: (from, envelope) => !(envelope.To == 1 && envelope.Message is Prepare));

        Assert.Equal(ProposerRole.Candidate, cluster[1].Role);
    }

    [Fact]
    public void A_follower_redirects_submissions_to_the_leader_it_knows()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(2);
        cluster.Tick(2, cluster.Options.HeartbeatInterval);
        cluster.DeliverAll();

        Assert.Equal(new SubmitResult(SubmitStatus.NotLeader, 2), cluster.Submit(1, CoreHarness.Command(1, 1)));
    }

    [Fact]
    public void Dueling_proposers_end_with_the_higher_ballot_leading_and_the_other_stepping_down()
    {
        var cluster = new CoreHarness(3);
        cluster.Tick(1, cluster.Options.ElectionTimeout * 3);
        cluster.Tick(2);
        cluster.DeliverPreVotes();
        Assert.Equal(ProposerRole.Candidate, cluster[1].Role);
        Assert.Equal(ProposerRole.Candidate, cluster[2].Role);

        cluster.DeliverAll();

        Assert.Equal(ProposerRole.Leader, cluster[2].Role);
        Assert.NotEqual(ProposerRole.Leader, cluster[1].Role);
        Assert.True(cluster[2].Ballot > cluster[1].Ballot);
    }

    [Fact]
    public void A_new_leader_recovers_a_value_that_only_a_minority_accepted()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1, "minority"));
        cluster.DeliverAll(pass: (from, envelope) => envelope.Message is not Accept || envelope.To == 3);
        cluster.Crash(1);

        cluster.Elect(2);
        cluster.DeliverAll();

        Assert.Equal([CoreHarness.Command(7, 1, "minority")], cluster.DeliveredCommands(2));
        Assert.Equal([CoreHarness.Command(7, 1, "minority")], cluster.DeliveredCommands(3));
    }

    [Fact]
    public void A_new_leader_fills_holes_with_no_ops_before_proposing_anything_new()
    {
        var cluster = new CoreHarness(3, options => options with { PipelineWindow = 4, MaxBatchCommands = 1 });
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1, "lost"));
        cluster.Submit(1, CoreHarness.Command(7, 2, "kept"));
        cluster.DeliverAll(pass: (from, envelope) => envelope.Message is not Accept accept || (accept.Slot == 1 && envelope.To == 3));
        cluster.Crash(1);

        cluster.Elect(2);
        cluster.Submit(2, CoreHarness.Command(8, 1, "new"));
        cluster.DeliverAll();

        var slots = cluster.Delivered[3];
        Assert.Equal(3, slots.Count);
        Assert.True(slots[0].Value.IsNoOp);
        Assert.Equal([CoreHarness.Command(7, 2, "kept")], slots[1].Value.Commands.ToArray());
        Assert.Equal([CoreHarness.Command(8, 1, "new")], slots[2].Value.Commands.ToArray());
    }

    [Fact]
    public void A_read_index_waits_for_a_majority_to_confirm_the_leader_and_lies_past_every_chosen_slot()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll();
        var lastChosen = cluster.Delivered[1].Max(slot => slot.Slot);

        Assert.True(cluster.ReadIndex(1, 42));
        Assert.Empty(cluster.ReadAnswers);
        cluster.DeliverAll();

        var (replica, answer) = Assert.Single(cluster.ReadAnswers);
        Assert.Equal((1, 42L), (replica, answer.RequestId));
        Assert.True(answer.Index > lastChosen, $"index {answer.Index} not past slot {lastChosen}");
        Assert.False(cluster.ReadIndex(2, 43));
    }

    [Fact]
    public void A_deposed_leader_cannot_confirm_a_read_and_refuses_it()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        cluster.Elect(2, pass: (from, envelope) => envelope.To != 1 && from != 1);
        cluster.Submit(2, CoreHarness.Command(8, 1, "newer"));
        cluster.DeliverAll(pass: (from, envelope) => envelope.To != 1 && from != 1);

        Assert.True(cluster.ReadIndex(1, 7));
        cluster.DeliverAll();

        var (replica, answer) = Assert.Single(cluster.ReadAnswers);
        Assert.Equal((1, 7L), (replica, answer.RequestId));
        Assert.Null(answer.Index);
        Assert.Equal(ProposerRole.Follower, cluster[1].Role);
    }

    [Fact]
    public void A_stale_leader_steps_down_when_its_accept_is_nacked()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        cluster.Elect(2, pass: (from, envelope) => envelope.To != 1 && from != 1);
        Assert.Equal(ProposerRole.Leader, cluster[1].Role);
        Assert.Equal(ProposerRole.Leader, cluster[2].Role);

        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll();

        Assert.Equal(ProposerRole.Follower, cluster[1].Role);
        Assert.Equal(2, cluster[1].LeaderHint);
        Assert.Empty(cluster.DeliveredCommands(2));
    }

    [Fact]
    public void A_lagging_learner_catches_up_from_a_peer()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        for (var sequence = 1; sequence <= 5; sequence++)
        {
            cluster.Submit(1, CoreHarness.Command(7, sequence));
            cluster.DeliverAll(pass: (from, envelope) => envelope.To != 3);
        }
        Assert.Empty(cluster.Delivered[3]);

        cluster.Tick(1, cluster.Options.HeartbeatInterval);
        cluster.DeliverAll();
        cluster.Tick(3, cluster.Options.CatchUpInterval);
        cluster.DeliverAll();

        Assert.Equal(cluster.DeliveredCommands(1), cluster.DeliveredCommands(3));
        Assert.Equal(5, cluster.DeliveredCommands(3).Length);
    }

    [Fact]
    public void A_learner_behind_a_peers_compaction_pulls_the_peers_snapshot_in_bounded_chunks()
    {
        var cluster = new CoreHarness(3, options => options with { MaxMessageBytes = 4 });
        byte[] state = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var request = CatchUpRequestFromABehindReplica(cluster, state);
        var outbox = new Outbox();
        cluster[1].Handle(request.Message, cluster.Now, outbox);

        var chunks = new List<SnapshotChunk>();
        while (outbox.Send is [{ Message: SnapshotChunk chunk }])
        {
            chunks.Add(chunk);
            outbox.Clear();
            cluster[3].Handle(chunk, cluster.Now, outbox);
            if (outbox.Send is [{ Message: SnapshotChunkRequest next }])
            {
                outbox.Clear();
                cluster[1].Handle(next, cluster.Now, outbox);
            }
        }

        Assert.Equal([0L, 4L, 8L], chunks.Select(chunk => chunk.Offset));
        Assert.All(chunks, chunk => Assert.True(chunk.Data.Length <= 4));
        var delivered = Assert.IsType<SnapshotDelivered>(Assert.Single(outbox.Deliver));
        Assert.Equal(1, delivered.AppliedBelow);
        Assert.Equal(state, delivered.State);
        Assert.Equal(1, cluster[3].AppliedBelow);
    }

    [Fact]
    public void A_lost_snapshot_chunk_is_asked_for_again_and_the_transfer_resumes_where_it_stopped()
    {
        var cluster = new CoreHarness(3, options => options with { MaxMessageBytes = 4 });
        byte[] state = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        var request = CatchUpRequestFromABehindReplica(cluster, state);
        var outbox = new Outbox();
        cluster[1].Handle(request.Message, cluster.Now, outbox);
        var first = Assert.IsType<SnapshotChunk>(Assert.Single(outbox.Send).Message);
        outbox.Clear();
        cluster[3].Handle(first, cluster.Now, outbox);
        Assert.IsType<SnapshotChunkRequest>(Assert.Single(outbox.Send).Message);

        outbox.Clear();
        cluster[3].Tick(cluster.Now += cluster.Options.CatchUpInterval, outbox);
        outbox.Clear();
        cluster[3].Tick(cluster.Now += cluster.Options.CatchUpInterval, outbox);

        var again = Assert.Single(outbox.Send.Select(envelope => envelope.Message).OfType<SnapshotChunkRequest>());
        Assert.Equal(4, again.Offset);
        Assert.Equal(0, cluster[3].AppliedBelow);
    }

    [Fact]
    public void Chunks_of_another_snapshot_or_with_a_wrong_checksum_are_never_installed()
    {
        var cluster = new CoreHarness(3, options => options with { MaxMessageBytes = 4 });
        byte[] state = [1, 2, 3, 4, 5, 6];
        var request = CatchUpRequestFromABehindReplica(cluster, state);
        var outbox = new Outbox();
        cluster[1].Handle(request.Message, cluster.Now, outbox);
        var first = Assert.IsType<SnapshotChunk>(Assert.Single(outbox.Send).Message);
        outbox.Clear();
        cluster[3].Handle(first, cluster.Now, outbox);

        outbox.Clear();
        cluster[3].Handle(first with { Offset = 4, Data = [9, 9] }, cluster.Now, outbox);

        Assert.Empty(outbox.Deliver);
        Assert.Equal(0, cluster[3].AppliedBelow);
        outbox.Clear();
        cluster[3].Handle(first with { From = 2, Offset = 4, Data = [5, 6] }, cluster.Now, outbox);
        Assert.Empty(outbox.Deliver);
    }

    [Fact]
    public void A_candidate_gathers_promises_that_come_in_parts_and_re_proposes_every_vote_they_carry()
    {
        var cluster = new CoreHarness(3, options => options with { MaxMessageBytes = 1 });
        cluster.Elect(1);
        var commands = Enumerable.Range(1, 5).Select(sequence => CoreHarness.Command(7, sequence, $"value {sequence}")).ToArray();
        foreach (var command in commands)
        {
            // Replica 2 hears nothing of these slots: it can learn them only from replica 3's promise.
            cluster.Submit(1, command);
            cluster.DeliverAll(pass: (from, envelope) => envelope.To != 2 && from != 2);
        }
        cluster.Crash(1);
        var promiseParts = 0;

        cluster.Elect(2, pass: (from, envelope) =>
        {
            promiseParts += envelope.Message is Promise { From: 3 } ? 1 : 0;
            return true;
        });

        Assert.Equal(ProposerRole.Leader, cluster[2].Role);
        Assert.True(promiseParts >= commands.Length, $"replica 3 sent its promise in {promiseParts} parts");
        Assert.Equal(commands, cluster.DeliveredCommands(2));
    }

    [Fact]
    public void A_candidate_ignores_a_duplicate_or_out_of_turn_promise_part()
    {
        var cluster = new CoreHarness(3, options => options with { MaxMessageBytes = 1 });
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1, "a"));
        cluster.Submit(1, CoreHarness.Command(7, 2, "b"));
        cluster.DeliverAll(pass: (from, envelope) => envelope.To != 2 && from != 2);
        cluster.Crash(1);
        cluster.Tick(2, cluster.Options.ElectionTimeout * 3);
        cluster.DeliverPreVotes();
        var ballot = cluster[2].Ballot;

        var outbox = new Outbox();
        var outOfTurn = new Promise(3, ballot, 0, FromSlot: 5, [], IsLast: true);
        cluster[2].Handle(outOfTurn, cluster.Now, outbox);
        cluster[2].Handle(new Promise(2, ballot, 0, FromSlot: 0, [], IsLast: true), cluster.Now, outbox);

        Assert.Equal(ProposerRole.Candidate, cluster[2].Role);
        Assert.Empty(outbox.Send);
    }

    [Fact]
    public void A_catch_up_page_stays_under_the_message_byte_limit_but_always_carries_one_entry()
    {
        var cluster = new CoreHarness(3, options => options with { MaxMessageBytes = 5 });
        cluster.Elect(1);
        foreach (var sequence in Enumerable.Range(1, 3))
        {
            cluster.Submit(1, CoreHarness.Command(7, sequence, "abcdef"));
            cluster.DeliverAll(pass: (from, envelope) => envelope.To != 3);
        }
        var outbox = new Outbox();

        cluster[1].Handle(new CatchUpRequest(3, 0), cluster.Now, outbox);

        var page = Assert.IsType<CatchUp>(Assert.Single(outbox.Send).Message);
        var entry = Assert.Single(page.Entries);
        Assert.Equal(0, entry.Slot);
    }

    /// <summary>Replica 3 misses a slot that replica 1 then compacts into <paramref name="state"/>; returns 3's catch-up request.</summary>
    private static Envelope CatchUpRequestFromABehindReplica(CoreHarness cluster, byte[] state)
    {
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll(pass: (from, envelope) => envelope.To != 3);
        cluster.Step(1, (core, outbox) => core.Compact(core.AppliedBelow, 0, state, SnapshotChecksum.Of(state), outbox));
        cluster.Tick(1, cluster.Options.HeartbeatInterval);
        cluster.DeliverAll();
        cluster.Tick(3, cluster.Options.CatchUpInterval);
        var request = Assert.Single(cluster.InFlight).Envelope;
        cluster.InFlight.Clear();
        return request;
    }

    [Fact]
    public void Only_messages_that_promise_nothing_about_the_journal_may_leave_before_the_write()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll(pass: (from, envelope) => envelope.To != 3);
        cluster.ReadIndex(1, requestId: 1);
        cluster.DeliverAll();
        cluster.Tick(1, cluster.Options.HeartbeatInterval);
        cluster.DeliverAll();
        cluster.Tick(3, cluster.Options.CatchUpInterval);
        cluster.DeliverAll();
        var staleBallot = cluster[1].Ballot;
        cluster.Elect(2);
        cluster.Step(3, (core, outbox) => core.Handle(new Accept(1, staleBallot, 5, Batch.NoOp(0, staleBallot, 0), 0), cluster.Now, outbox));

        Assert.Equal(1, cluster[3].AppliedBelow);
        Assert.Equal(ProposerRole.Follower, cluster[1].Role);
        Assert.Equal(
            [typeof(Accept), typeof(CatchUp), typeof(CatchUpRequest), typeof(Chosen), typeof(LeaderCheck), typeof(LeaderCheckAck), typeof(PreVote), typeof(PreVoteGranted)],
            cluster.SentEarly.OrderBy(type => type.Name));
        Assert.Equal(
            [typeof(Accepted), typeof(Nack), typeof(Prepare), typeof(Promise)],
            cluster.SentAfterPersist.OrderBy(type => type.Name));
    }

    [Fact]
    public void Duplicated_and_reordered_messages_change_nothing()
    {
        var cluster = new CoreHarness(5, options => options with { MaxBatchCommands = 1 });
        cluster.Elect(1);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            cluster.Submit(1, CoreHarness.Command(7, sequence));
        }
        var messages = cluster.InFlight.ToList();
        cluster.InFlight.Clear();
        // Every message twice, in reverse order.
        cluster.InFlight.AddRange(Enumerable.Reverse(messages));
        cluster.InFlight.AddRange(messages);
        cluster.DeliverAll();

        foreach (var id in cluster.Options.ReplicaIds)
        {
            Assert.Equal([1L, 2L, 3L], cluster.DeliveredCommands(id).Select(command => command.Sequence));
            Assert.Equal([0L, 1L, 2L], cluster.Delivered[id].Select(slot => slot.Slot));
        }
    }

    [Fact]
    public void Accepted_replies_from_one_acceptor_never_count_twice()
    {
        var cluster = new CoreHarness(5);
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        var toTwo = cluster.InFlight.Single(message => message.Envelope.To == 2 && message.Envelope.Message is Accept);
        cluster.InFlight.Clear();
        var outbox = new Outbox();
        cluster[2].Handle(toTwo.Envelope.Message, cluster.Now, outbox);
        var reply = Assert.Single(outbox.SendAfterPersist, envelope => envelope.Message is Accepted);
        cluster.InFlight.AddRange([(2, reply), (2, reply), (2, reply)]);
        cluster.DeliverAll();

        Assert.Empty(cluster.Delivered[1]);
    }

    [Fact]
    public void A_new_leader_never_stamps_time_below_what_was_already_chosen()
    {
        var cluster = new CoreHarness(3);
        cluster.Now = 10_000;
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.DeliverAll();
        var firstStamp = cluster.Delivered[2].Single().Timestamp;

        cluster.Crash(1);
        cluster.Now = 50;
        cluster.Elect(2);
        cluster.Submit(2, CoreHarness.Command(7, 2));
        cluster.DeliverAll();

        Assert.True(cluster.Delivered[2][^1].Timestamp >= firstStamp);
    }

    [Fact]
    public void Commands_queued_while_the_window_is_full_are_batched_into_one_slot()
    {
        var cluster = new CoreHarness(3, options => options with { PipelineWindow = 1, MaxBatchCommands = 3 });
        cluster.Elect(1);
        for (var sequence = 1; sequence <= 7; sequence++)
        {
            cluster.Submit(1, CoreHarness.Command(7, sequence));
        }
        cluster.DeliverAll();

        Assert.Equal([1, 3, 3], cluster.Delivered[2].Select(slot => slot.Value.Commands.Length));
    }

    [Fact]
    public void A_full_queue_refuses_submissions_as_overload()
    {
        var cluster = new CoreHarness(3, options => options with { PipelineWindow = 1, MaxPendingCommands = 2 });
        cluster.Elect(1);
        cluster.Submit(1, CoreHarness.Command(7, 1));
        cluster.Submit(1, CoreHarness.Command(7, 2));
        cluster.Submit(1, CoreHarness.Command(7, 3));

        Assert.Equal(SubmitStatus.Overloaded, cluster.Submit(1, CoreHarness.Command(7, 4)).Status);
    }

    [Fact]
    public void Messages_from_replicas_outside_the_configuration_are_ignored()
    {
        var cluster = new CoreHarness(3);
        var outbox = new Outbox();

        Assert.False(cluster[1].Handle(new Prepare(9, new Ballot(99, 9), 0), 0, outbox));
        Assert.True(outbox.IsEmpty);
        Assert.Equal(Ballot.Zero, cluster[1].Promised);
    }

    [Fact]
    public void A_restarted_leader_never_reuses_its_ballot()
    {
        var cluster = new CoreHarness(3);
        cluster.Elect(1);
        var first = cluster[1].Ballot;
        cluster.Crash(1);
        cluster.Restart(1);

        cluster.Elect(1);

        Assert.True(cluster[1].Ballot > first);
    }
}
