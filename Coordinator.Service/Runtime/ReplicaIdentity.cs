using System.Globalization;

namespace Coordinator.Service.Runtime;

/// <summary>
/// What a replica remembers about itself beside its journal, in <c>replica-&lt;id&gt;.identity</c>: its id and how many
/// times it has started. The file outlives the journal's loss, which is how a replica tells "never ran" (no identity,
/// no journal: a new replica) from "ran and lost its votes" (an identity, no journal) - and the second must not vote
/// again, or a write that a majority including it acknowledged can be undone. It also names the cluster the replica
/// belongs to (see <see cref="ClusterIds"/>); files written before cluster ids existed have none. Incarnation 0 marks a
/// restore from a backup that began but has not started the replica yet.
/// </summary>
internal sealed record ReplicaIdentity(int ReplicaId, long Incarnation, string? ClusterId = null)
{
    public static string PathOf(string dataDir, int replicaId) => Path.Combine(dataDir, $"replica-{replicaId}.identity");

    public static ReplicaIdentity? Read(string dataDir, int replicaId)
    {
        var path = PathOf(dataDir, replicaId);
        if (!File.Exists(path))
        {
            return null;
        }
        var fields = File.ReadAllLines(path)
            .Select(line => line.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
        if (!fields.TryGetValue("replica-id", out var id) || !int.TryParse(id, CultureInfo.InvariantCulture, out var readId)
            || !fields.TryGetValue("incarnation", out var incarnation) || !long.TryParse(incarnation, CultureInfo.InvariantCulture, out var readIncarnation))
        {
            throw new ReplicaStartException($"identity file {path} is unreadable; it must hold replica-id and incarnation lines");
        }
        return new ReplicaIdentity(readId, readIncarnation, fields.GetValueOrDefault("cluster-id"));
    }

    /// <summary>Writes the file through a temporary one and a rename, so a crash leaves the old identity or the new one.</summary>
    public void Write(string dataDir)
    {
        var path = PathOf(dataDir, ReplicaId);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"replica-id = {ReplicaId}\nincarnation = {Incarnation}\n"));
            if (ClusterId is not null)
            {
                writer.Write($"cluster-id = {ClusterId}\n");
            }
            writer.Flush();
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
