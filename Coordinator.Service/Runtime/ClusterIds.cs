using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Coordinator.Client;

namespace Coordinator.Service.Runtime;

/// <summary>
/// A cluster's id, recorded in each replica's identity file and in every backup taken from it. Replicas of one cluster
/// are started apart with nothing but their shared configuration (and, when restored, the same backup file), so the id
/// is derived from those and not drawn at random: every replica arrives at the same one. A new cluster's id comes from
/// its replica set; a restored cluster's from its replica set and the backup, so it differs from the cluster the backup
/// came from (unless the restore keeps that id on purpose) even when it runs on the same addresses.
/// </summary>
internal static class ClusterIds
{
    public static string ForNewCluster(IReadOnlyDictionary<int, string> replicas) => Hash("coordinator-cluster", ReplicaSet(replicas));

    public static string ForRestore(IReadOnlyDictionary<int, string> replicas, BackupHeader backup) =>
        Hash("coordinator-restore", backup.ClusterId, backup.AppliedBelow.ToString(CultureInfo.InvariantCulture), backup.Checksum, ReplicaSet(replicas));

    private static string ReplicaSet(IReadOnlyDictionary<int, string> replicas) =>
        string.Join(',', replicas.OrderBy(entry => entry.Key).Select(entry => string.Create(CultureInfo.InvariantCulture, $"{entry.Key}={entry.Value}")));

    private static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))).AsSpan(0, 16));
}
