using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Consensus;

/// <summary>The checksum must tell apart what a broken transfer assembles: a changed byte, two chunks swapped, a cut tail.</summary>
[Trait("Category", "Unit")]
public sealed class SnapshotChecksumTests
{
    [Fact]
    public void Any_changed_byte_swapped_chunk_or_missing_tail_changes_the_sum()
    {
        var state = Enumerable.Range(0, 1_000).Select(i => (byte)(i * 31 % 251)).ToArray();
        var sum = SnapshotChecksum.Of(state);

        Assert.Equal(sum, SnapshotChecksum.Of(state.ToArray()));
        foreach (var position in new[] { 0, 7, 8, 31, 32, 500, 991, 999 })
        {
            var changed = state.ToArray();
            changed[position] ^= 1;
            Assert.NotEqual(sum, SnapshotChecksum.Of(changed));
        }
        byte[] swapped = [.. state[500..], .. state[..500]];
        Assert.NotEqual(sum, SnapshotChecksum.Of(swapped));
        Assert.NotEqual(sum, SnapshotChecksum.Of(state.AsSpan(0, 999)));
        Assert.NotEqual(SnapshotChecksum.Of(new byte[64]), SnapshotChecksum.Of(new byte[65]));
    }
}
