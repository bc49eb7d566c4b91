using Coordinator.Client;
using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

/// <summary>
/// The watch checker on small hand-made histories: two streams on overlapping paths and the writes under them; it
/// passes them as they should be and catches each way a stream can go wrong.
/// </summary>
[Trait("Category", "Fault")]
public sealed class WatchCheckerTests
{
    private const int Root = 1;
    private const int Sub = 2;
    private const int Writer = 9;

    [Fact]
    public void Streams_that_equal_the_committed_changes_pass()
    {
        var result = WatchChecker.Check(Clean().Build());
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void A_change_one_stream_lacks_and_another_received_is_caught()
    {
        // The root watcher misses the create at 12.0 that the subtree watcher received.
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10).Start(Sub, "/w/a", 10)
            .Set(Writer, "/w/a", 11)
            .Event(Root, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
            .Create(Writer, "/w/a/x", null, Outcome.Unknown)
            .Event(Sub, "/w/a/x", 12, 0, WatchEventType.NodeCreated)
            .Set(Writer, "/w/a", 13)
            .Event(Root, "/w/a", 13, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a", 13, 0, WatchEventType.NodeDataChanged)
            .Fenced(Root).Fenced(Sub)
            .Build();
        AssertInvalid(history, "stream 1 on /w lacks NodeCreated /w/a/x at 12.0");
    }

    [Fact]
    public void An_ok_write_that_no_stream_received_is_caught()
    {
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10)
            .Set(Writer, "/w/b", 11)
            .Set(Writer, "/w/b", 12)
            .Event(Root, "/w/b", 12, 0, WatchEventType.NodeDataChanged)
            .Set(Writer, "/w/b", 13)
            .Event(Root, "/w/b", 13, 0, WatchEventType.NodeDataChanged)
            .Fenced(Root)
            .Build();
        AssertInvalid(history, "lacks NodeDataChanged /w/b in slot 11");
    }

    [Fact]
    public void Two_changes_of_one_node_in_one_slot_need_two_events()
    {
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10)
            .Set(Writer, "/w/b", 11).Set(Writer + 1, "/w/b", 11)
            .Event(Root, "/w/b", 11, 0, WatchEventType.NodeDataChanged)
            .Set(Writer, "/w/b", 12)
            .Event(Root, "/w/b", 12, 0, WatchEventType.NodeDataChanged)
            .Fenced(Root)
            .Build();
        AssertInvalid(history, "2 Ok write(s) applied there, 1 event(s) received");
    }

    [Fact]
    public void A_repeated_event_is_caught()
    {
        var history = Clean().Event(Sub, "/w/a", 13, 0, WatchEventType.NodeDataChanged).Build();
        AssertInvalid(history, "(repeated or out of order)");
    }

    [Fact]
    public void An_event_from_before_the_start_is_caught()
    {
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10)
            .Event(Root, "/w/b", 10, 0, WatchEventType.NodeDataChanged)
            .Fenced(Root)
            .Build();
        AssertInvalid(history, "(repeated or out of order)");
    }

    [Fact]
    public void Two_streams_that_disagree_on_a_position_are_caught()
    {
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10).Start(Sub, "/w/a", 10)
            .Set(Writer, "/w/a", null, Outcome.Unknown).Create(Writer, "/w/a/x", null, Outcome.Unknown)
            .Event(Root, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a/x", 11, 0, WatchEventType.NodeCreated)
            .Fenced(Root).Fenced(Sub)
            .Build();
        AssertInvalid(history, "position 11.0 is");
    }

    [Fact]
    public void An_event_no_write_could_have_made_is_caught()
    {
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10)
            .Event(Root, "/w/b", 11, 0, WatchEventType.NodeDeleted)
            .Fenced(Root)
            .Build();
        AssertInvalid(history, "1 NodeDeleted events on /w/b, but only 0 such writes were attempted");
    }

    [Fact]
    public void A_gap_is_allowed_only_behind_a_compacted_event()
    {
        // Stream 1 misses 12 and 13 behind a Compacted event at 13.5; stream 2 had them.
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10).Start(Sub, "/w/a", 10)
            .Set(Writer, "/w/a", 11).Set(Writer, "/w/a", 12).Set(Writer, "/w/a", 13).Set(Writer, "/w/a", 14)
            .Event(Root, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a", 12, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a", 13, 0, WatchEventType.NodeDataChanged)
            .Event(Root, "/w", 13, 5, WatchEventType.Compacted)
            .Event(Root, "/w/a", 14, 0, WatchEventType.NodeDataChanged)
            .Event(Sub, "/w/a", 14, 0, WatchEventType.NodeDataChanged)
            .Fenced(Root).Fenced(Sub)
            .Build();
        var result = WatchChecker.Check(history);
        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void A_watcher_that_never_saw_the_final_fence_is_caught()
    {
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10)
            .Set(Writer, "/w/b", 11)
            .Event(Root, "/w/b", 11, 0, WatchEventType.NodeDataChanged)
            .Add(Root, "watch-end", "/w", null, null, 0, 0, Outcome.Ok, 0)
            .Build();
        AssertInvalid(history, "no stream watching /w saw the final fence write");
    }

    [Fact]
    public void A_new_stream_after_an_ended_session_is_judged_from_its_own_start()
    {
        // Stream 1 ended after 11 (its session expired); stream 3 watches /w again from 11 and has 12 on.
        var history = new HistoryBuilder()
            .Start(Root, "/w", 10)
            .Set(Writer, "/w/b", 11)
            .Event(Root, "/w/b", 11, 0, WatchEventType.NodeDataChanged)
            .Add(Root, "watch-end", "/w", null, null, 0, 0, Outcome.Ok, 0)
            .Set(Writer, "/w/b", 12)
            .Start(3, "/w", 11)
            .Event(3, "/w/b", 12, 0, WatchEventType.NodeDataChanged)
            .Fenced(3)
            .Build();
        var result = WatchChecker.Check(history);
        Assert.True(result.IsValid, result.ToString());
    }

    /// <summary>Two streams from slot 10; sets of /w/a at 11 and 13, an unknown create of /w/a/x at 12 and of /w/b at 14.</summary>
    private static HistoryBuilder Clean() => new HistoryBuilder()
        .Start(Root, "/w", 10).Start(Sub, "/w/a", 10)
        .Set(Writer, "/w/a", 11)
        .Event(Root, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
        .Event(Sub, "/w/a", 11, 0, WatchEventType.NodeDataChanged)
        .Create(Writer, "/w/a/x", null, Outcome.Unknown)
        .Event(Sub, "/w/a/x", 12, 0, WatchEventType.NodeCreated)
        .Event(Root, "/w/a/x", 12, 0, WatchEventType.NodeCreated)
        .Set(Writer, "/w/a", 13)
        .Create(Writer, "/w/b", 13)
        .Event(Root, "/w/a", 13, 0, WatchEventType.NodeDataChanged)
        .Event(Root, "/w/b", 13, 1, WatchEventType.NodeCreated)
        .Event(Sub, "/w/a", 13, 0, WatchEventType.NodeDataChanged)
        .Fenced(Root).Fenced(Sub);

    private static void AssertInvalid(IReadOnlyList<Operation> history, string expected)
    {
        var result = WatchChecker.Check(history);
        Assert.Equal(Verdict.Invalid, result.Verdict);
        Assert.Contains(expected, result.Explanation);
    }
}

/// <summary>The watch workload's operations, in the order a run records them.</summary>
internal static class WatchHistoryFixtures
{
    public static HistoryBuilder Start(this HistoryBuilder history, int stream, string path, long fromSlot) =>
        history.Add(stream, "watch-start", path, fromSlot, null, 0, 0, Outcome.Ok, null);

    public static HistoryBuilder Event(this HistoryBuilder history, int stream, string path, long slot, int index, WatchEventType type) =>
        history.Add(stream, "watch-event", path, slot, index, 0, 0, Outcome.Ok, (long)type);

    public static HistoryBuilder Fenced(this HistoryBuilder history, int stream) =>
        history.Add(stream, "watch-end", "", null, null, 0, 0, Outcome.Ok, 1);

    public static HistoryBuilder Set(this HistoryBuilder history, int client, string path, long? slot, Outcome outcome = Outcome.Ok) =>
        history.Add(client, "watch-set", path, null, null, 0, 0, outcome, slot);

    public static HistoryBuilder Create(this HistoryBuilder history, int client, string path, long? slot, Outcome outcome = Outcome.Ok) =>
        history.Add(client, "watch-create", path, null, null, 0, 0, outcome, slot);
}
