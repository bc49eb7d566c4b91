using Coordinator.Faults.Checking;
using Coordinator.Faults.History;

namespace Coordinator.Tests.Faults;

[Trait("Category", "Fault")]
public sealed class SetCheckerTests
{
    private static readonly IReadOnlyList<Operation> Adds = new HistoryBuilder()
        .Add(1, "add", "set", 1, null, 0, 10, Outcome.Ok, null)
        .Add(2, "add", "set", 2, null, 5, null, Outcome.Unknown, null)
        .Add(3, "add", "set", 3, null, 5, null, Outcome.Unknown, null)
        .Add(1, "add", "set", 4, null, 20, 30, Outcome.Failed, null)
        .Add(2, "add", "set", 5, null, 20, 30, Outcome.Failed, null)
        .Add(2, "add", "set", 5, null, 40, 50, Outcome.Ok, null)
        .Build();

    [Fact]
    public void Every_ok_add_present_and_nothing_else_passes_with_counts()
    {
        var final = new HashSet<long> { 1, 2, 5 };
        Assert.True(SetChecker.Check(Adds, final).IsValid);
        Assert.Equal(
            new SetTally(Ok: 2, UnknownPresent: 1, UnknownAbsent: 1, Lost: 0, Phantom: 0, [], []),
            SetChecker.Tally(Adds, final) with { LostElements = [], PhantomElements = [] });
    }

    [Fact]
    public void Ok_add_missing_at_the_end_is_lost()
    {
        var result = SetChecker.Check(Adds, new HashSet<long> { 5 });
        Assert.Equal(Verdict.Invalid, result.Verdict);
        Assert.Contains("lost 1", result.Explanation);
        Assert.Contains("lost (Ok add, absent at the end): 1", result.Explanation);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(99)]
    public void Element_never_added_or_only_by_a_failed_add_is_a_phantom(long element)
    {
        var tally = SetChecker.Tally(Adds, new HashSet<long> { 1, 5, element });
        Assert.Equal(1, tally.Phantom);
        Assert.Equal([element], tally.PhantomElements);
        Assert.Equal(Verdict.Invalid, SetChecker.Check(Adds, new HashSet<long> { 1, 5, element }).Verdict);
    }
}
