using Coordinator.Faults.Cluster;

namespace Coordinator.Faults.Faults;

/// <summary>
/// The wipe fault's procedure: SIGKILL the replica, lose its journal (keeping its identity file), start it again,
/// watch it for up to <see cref="Bound"/> and judge what it did (<see cref="WipeCheck"/>). Whatever the verdict the
/// replica is then retired: no rejoin is safe yet, so it stays down for the rest of the run.
/// </summary>
internal static class WipeFault
{
    /// <summary>The amnesia check runs before the replica opens a port; this allows a slow, loaded start.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <param name="identityToo">Also delete the identity file: a control under which the replica must start blank.</param>
    public static async Task<WipeResult> RunAsync(ReplicaCluster cluster, int id, WipeMethod method, Action<string> log, bool identityToo = false)
    {
        var node = cluster[id];
        node.Kill();
        var identityKept = File.Exists(JournalWipe.IdentityPath(node.DataDirectory, id));
        var wiped = JournalWipe.Wipe(node.DataDirectory, id, method, identityToo);
        log($"  wipe: replica {id}: {wiped}; starting it again");
        node.Start();
        var (exitCode, lines) = await node.WatchStartAsync(Bound, WipeCheck.SaysUp);
        cluster.Retire(id);
        var result = WipeCheck.Judge(id, exitCode, lines, Bound);
        if (!identityKept && !identityToo)
        {
            // A replica that accepted writes has an identity file before its first vote is durable; without one the
            // refusal this fault tests has nothing to go on.
            result = new WipeResult(id, Refused: false, $"replica {id} had no identity file beside its journal before the wipe; {result.Explanation}");
        }
        log($"  wipe: {result.Explanation}; replica {id} stays down for the rest of the run");
        return result;
    }
}
