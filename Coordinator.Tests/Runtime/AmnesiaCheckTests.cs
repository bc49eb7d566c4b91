using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// The journal and the snapshots of a SQLite replica live in two files, so either can be lost alone: a replica missing
/// one of them would vote without promises it gave, and must refuse to start.
/// </summary>
[Trait("Category", "Unit")]
public sealed class AmnesiaCheckTests
{
    private static readonly ReplicaIdentity HasRun = new(2, Incarnation: 3, "c");

    [Theory]
    [InlineData(1, 40, null)]
    [InlineData(31, 40, 30L)]
    [InlineData(40, 40, 40L)]
    public void A_journal_and_snapshots_that_reach_each_other_start_the_next_incarnation(long lowest, long highest, long? snapshot)
    {
        var next = AmnesiaCheck.Decide(2, HasRun, new StoredHistory(lowest, highest, snapshot), "SQLite file x");

        Assert.Equal(HasRun with { Incarnation = 4 }, next);
    }

    [Fact]
    public void A_lost_journal_beside_a_surviving_snapshot_file_is_refused()
    {
        var refused = Assert.Throws<ReplicaStartException>(() => AmnesiaCheck.Decide(2, HasRun, new StoredHistory(0, 0, 40), "SQLite file x"));

        Assert.Contains("refuses to start: it has run before (incarnation 3) but its journal (SQLite file x) ends at event 0, before its snapshot at event 40", refused.Message);
    }

    [Fact]
    public void A_compacted_journal_whose_snapshot_file_was_lost_is_refused()
    {
        var refused = Assert.Throws<ReplicaStartException>(() => AmnesiaCheck.Decide(2, HasRun, new StoredHistory(41, 45, null), "SQLite file x"));

        Assert.Contains("compacted below event 41 and no snapshot reaches back to it", refused.Message);
    }

    [Fact]
    public void An_older_snapshot_file_than_the_compaction_is_refused_too()
    {
        Assert.Throws<ReplicaStartException>(() => AmnesiaCheck.Decide(2, HasRun, new StoredHistory(41, 45, 20), "SQLite file x"));
    }
}
