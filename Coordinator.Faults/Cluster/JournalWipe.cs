using Coordinator.Faults.Faults;

namespace Coordinator.Faults.Cluster;

/// <summary>
/// Loses a stopped replica's SQLite journal the way a failed or careless disk does: the <c>replica-&lt;id&gt;.db</c>
/// file and its -wal/-shm sidecars deleted, or truncated to 0 bytes. The identity file beside them stays unless
/// <c>identityToo</c>, which makes the replica indistinguishable from a new one (the tests' control case).
/// </summary>
internal static class JournalWipe
{
    public static string JournalPath(string dataDirectory, int id) => Path.Combine(dataDirectory, $"replica-{id}.db");

    public static string IdentityPath(string dataDirectory, int id) => Path.Combine(dataDirectory, $"replica-{id}.identity");

    /// <returns>What it did, for the run's log.</returns>
    public static string Wipe(string dataDirectory, int id, WipeMethod method, bool identityToo = false)
    {
        var journal = JournalPath(dataDirectory, id);
        var files = new[] { journal, journal + "-wal", journal + "-shm" }.Where(File.Exists).ToList();
        foreach (var file in files)
        {
            if (method == WipeMethod.Delete)
            {
                File.Delete(file);
            }
            else
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
                stream.SetLength(0);
                stream.Flush(flushToDisk: true);
            }
        }
        if (identityToo)
        {
            File.Delete(IdentityPath(dataDirectory, id));
        }
        var names = files.Count == 0 ? "no journal files" : string.Join(", ", files.Select(Path.GetFileName));
        return $"{(method == WipeMethod.Delete ? "deleted" : "truncated")} {names}{(identityToo ? " and the identity file" : "")}";
    }
}
