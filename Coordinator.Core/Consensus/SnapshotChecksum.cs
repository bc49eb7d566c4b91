namespace Coordinator.Core.Consensus;

/// <summary>
/// FNV-1a over a snapshot's bytes: a receiver that assembled chunks of two different snapshots, or lost one, sees a
/// different sum and starts over instead of installing a state no replica ever had. Not a defence against an attacker
/// (TLS is); a cheap, deterministic check the core can compute without System.IO.Hashing.
/// </summary>
internal static class SnapshotChecksum
{
    private const ulong Offset = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static long Of(ReadOnlySpan<byte> bytes)
    {
        var hash = Offset;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }
        return unchecked((long)hash);
    }
}
