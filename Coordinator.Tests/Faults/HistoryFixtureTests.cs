using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

/// <summary>
/// Register histories kept as history files in Fixtures/, read through <see cref="HistoryFile.Read"/>: they pin the
/// file format the harness writes (an invoke without a complete is Unknown) as well as the checker's verdicts.
/// </summary>
[Trait("Category", "Fault")]
public sealed class HistoryFixtureTests
{
    [Fact]
    public void Unknown_and_failed_operations_read_from_a_file_are_linearizable()
    {
        var history = Load("unknown-ops.jsonl");
        Assert.Equal(Outcome.Unknown, history.Single(operation => operation.Id == 2).Outcome);
        Assert.Null(history.Single(operation => operation.Id == 2).CompletedNanos);
        LinearizabilityCheckerTests.AssertValid(history);
    }

    [Theory]
    [InlineData("stale-read.jsonl", "#3 client 2 read() Ok -> 1")]
    [InlineData("lost-write.jsonl", "#4 client 2 read() Ok -> 1")]
    [InlineData("never-written.jsonl", "#2 client 2 read() Ok -> 3")]
    [InlineData("opposite-orders.jsonl", "key \"x\" is not linearizable")]
    public void Non_linearizable_history_is_rejected(string fixture, string expectedInExplanation) =>
        LinearizabilityCheckerTests.AssertInvalid(Load(fixture), expectedInExplanation);

    [Fact]
    public void Only_the_broken_key_is_reported_among_several()
    {
        var result = LinearizabilityCheckerTests.AssertInvalid(Load("one-bad-key.jsonl"), "key \"b\" is not linearizable");
        Assert.DoesNotContain("key \"a\"", result.Explanation);
        Assert.DoesNotContain("key \"c\"", result.Explanation);
        Assert.Contains("#7 client 1 read() Ok -> 1", result.Explanation);
    }

    private static IReadOnlyList<Operation> Load(string fixture) =>
        HistoryFile.Read(Path.Combine(AppContext.BaseDirectory, "Faults", "Fixtures", fixture));
}
