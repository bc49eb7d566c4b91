using System.Security.Cryptography;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Operations;

/// <summary>
/// The backup file format, the gateway's chunking of a kept snapshot, the derived cluster ids and the amnesia check's
/// word on a restore cut short: the pieces of backup and restore that need no process.
/// </summary>
[Trait("Category", "Unit")]
public sealed class BackupFormatTests : IDisposable
{
    private readonly TempDirectory _directory = new("backup-format");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_written_file_reads_back_with_its_header_and_state()
    {
        var state = RandomNumberGenerator.GetBytes(3000);
        var path = Write("good.snap", "cluster-a", 42, 1_700_000_000_123, state);

        var (header, read) = BackupFile.Read(path, keepState: true);

        Assert.Equal((1, "cluster-a", 42L, 1_700_000_000_123L, 3000L), (header.FormatVersion, header.ClusterId, header.AppliedBelow, header.LastTimestamp, header.StateBytes));
        Assert.Equal(state, read);
        Assert.Equal(64, header.Checksum.Length);
        Assert.Equal(header, ClusterBackup.Inspect(path));
    }

    [Fact]
    public void Every_byte_of_the_file_is_covered_by_the_checksum_or_the_format_checks()
    {
        var good = File.ReadAllBytes(Write("good.snap", "c", 7, 9, [1, 2, 3, 4, 5]));
        for (var at = 0; at < good.Length; at++)
        {
            var damaged = (byte[])good.Clone();
            damaged[at] ^= 0x01;
            var path = Path.Combine(_directory.Path, "damaged.snap");
            File.WriteAllBytes(path, damaged);
            var refused = Assert.Throws<InvalidDataException>(() => ClusterBackup.Inspect(path));
            Assert.StartsWith(path + " ", refused.Message);
        }
    }

    [Fact]
    public void Every_truncation_is_refused_as_truncated_or_not_a_backup()
    {
        var good = File.ReadAllBytes(Write("good.snap", "c", 7, 9, [1, 2, 3, 4, 5]));
        for (var length = 0; length < good.Length; length++)
        {
            var path = Path.Combine(_directory.Path, "short.snap");
            File.WriteAllBytes(path, good[..length]);
            var refused = Assert.Throws<InvalidDataException>(() => ClusterBackup.Inspect(path));
            Assert.True(refused.Message.Contains("is truncated") || (length == 0 && refused.Message.Contains("is not a Coordinator backup")), refused.Message);
        }
    }

    [Fact]
    public void A_missing_file_and_another_format_version_are_refused_with_one_line()
    {
        var missing = Path.Combine(_directory.Path, "missing.snap");
        Assert.Contains("cannot be read", Assert.Throws<InvalidDataException>(() => ClusterBackup.Inspect(missing)).Message);

        var bytes = File.ReadAllBytes(Write("v1.snap", "c", 1, 1, [1]));
        bytes[8] = 2;
        var future = Path.Combine(_directory.Path, "v2.snap");
        File.WriteAllBytes(future, bytes);
        var refused = Assert.Throws<InvalidDataException>(() => ClusterBackup.Inspect(future));
        Assert.Contains("format version 2; this build reads version 1", refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void The_gateway_serves_a_kept_snapshot_in_bounded_chunks_and_starts_over_when_it_no_longer_has_it()
    {
        var server = new BackupServer("cluster-x");
        var state = RandomNumberGenerator.GetBytes(BackupServer.ChunkBytes * 2 + 17);
        Assert.Null(server.Answer(new BackupChunkRequest(1, null, 0), now: 0));

        var first = server.Keep(new BackupChunkRequest(1, null, 0), appliedBelow: 500, new BackupServer.Captured(state, 77), now: 0);
        Assert.Equal(("cluster-x", 500L, 77L, (long)state.Length, 0L), (first.ClusterId, first.AppliedBelow, first.LastTimestamp, first.TotalBytes, first.Offset));
        Assert.Equal(SHA256.HashData(state), first.Sha256);
        var assembled = new List<byte>(first.Data);
        while (assembled.Count < state.Length)
        {
            var chunk = server.Answer(new BackupChunkRequest(2, 500, assembled.Count), now: 1_000)!;
            Assert.True(chunk.Data.Length <= BackupServer.ChunkBytes);
            Assert.Equal(assembled.Count, chunk.Offset);
            assembled.AddRange(chunk.Data);
        }
        Assert.Equal(state, assembled.ToArray());

        Assert.Null(server.Answer(new BackupChunkRequest(3, 499, 0), now: 1_000));
        server.Sweep(now: 62_000);
        Assert.Null(server.Answer(new BackupChunkRequest(4, 500, 0), now: 62_000));
    }

    [Fact]
    public void The_gateway_keeps_at_most_two_snapshots_dropping_the_least_recently_asked()
    {
        var server = new BackupServer("c");
        var captured = new BackupServer.Captured([1, 2, 3], 0);
        server.Keep(new BackupChunkRequest(1, null, 0), 10, captured, now: 0);
        server.Keep(new BackupChunkRequest(2, null, 0), 20, captured, now: 1);
        server.Answer(new BackupChunkRequest(3, 10, 0), now: 2);
        server.Keep(new BackupChunkRequest(4, null, 0), 30, captured, now: 3);

        Assert.NotNull(server.Answer(new BackupChunkRequest(5, 10, 0), now: 4));
        Assert.Null(server.Answer(new BackupChunkRequest(6, 20, 0), now: 4));
        Assert.NotNull(server.Answer(new BackupChunkRequest(7, 30, 0), now: 4));
    }

    [Fact]
    public void Cluster_ids_agree_across_replicas_and_a_restore_gets_a_new_one()
    {
        var replicas = new Dictionary<int, string> { [1] = "10.0.0.1:4001", [2] = "10.0.0.2:4001", [3] = "10.0.0.3:4001" };
        var reordered = new Dictionary<int, string> { [3] = "10.0.0.3:4001", [1] = "10.0.0.1:4001", [2] = "10.0.0.2:4001" };
        var elsewhere = new Dictionary<int, string> { [1] = "10.0.1.1:4001", [2] = "10.0.1.2:4001", [3] = "10.0.1.3:4001" };
        var source = ClusterIds.ForNewCluster(replicas);
        Assert.Equal(source, ClusterIds.ForNewCluster(reordered));
        Assert.NotEqual(source, ClusterIds.ForNewCluster(elsewhere));

        var backup = new BackupHeader(1, source, 100, 0, DateTimeOffset.UnixEpoch, 10, new string('a', 64));
        var restored = ClusterIds.ForRestore(replicas, backup);
        Assert.Equal(restored, ClusterIds.ForRestore(reordered, backup));
        Assert.NotEqual(source, restored);
        Assert.NotEqual(restored, ClusterIds.ForRestore(replicas, backup with { AppliedBelow = 101 }));
    }

    [Fact]
    public void A_replica_whose_restore_was_cut_short_refuses_to_start_and_says_to_restore_again()
    {
        var refused = Assert.Throws<ReplicaStartException>(() => AmnesiaCheck.Decide(2, new ReplicaIdentity(2, 0, "c"), StoredHistory.None, "SQLite file x"));
        Assert.Contains("a restore from a backup began here but did not finish", refused.Message);

        var restored = AmnesiaCheck.Decide(2, new ReplicaIdentity(2, 0, "c"), new StoredHistory(0, 0, SnapshotHighest: 0), "SQLite file x");
        Assert.Equal(new ReplicaIdentity(2, 1, "c"), restored);
    }

    [Fact]
    public void The_identity_file_keeps_the_cluster_id_and_files_without_one_still_read()
    {
        new ReplicaIdentity(3, 5, "abc").Write(_directory.Path);
        Assert.Equal(new ReplicaIdentity(3, 5, "abc"), ReplicaIdentity.Read(_directory.Path, 3));

        File.WriteAllText(ReplicaIdentity.PathOf(_directory.Path, 4), "replica-id = 4\nincarnation = 2\n");
        Assert.Equal(new ReplicaIdentity(4, 2), ReplicaIdentity.Read(_directory.Path, 4));
    }

    [Fact]
    public async Task A_restore_refuses_a_file_whose_checksum_holds_but_whose_state_does_not_decode_and_writes_nothing()
    {
        var path = Write("garbage.snap", "c", 5, 5, [1, 0xff, 0xff, 0xff]);
        var config = Akka.Configuration.ConfigurationFactory.ParseString($$"""
            coordinator {
              replica { id = 1, data-dir = "{{_directory.Path}}/data" }
              replicas { 1 = "127.0.0.1:1" }
            }
            """).WithFallback(ReplicaHost.ReferenceConfig);

        var refused = await Assert.ThrowsAsync<ReplicaStartException>(
            () => BackupRestore.SeedAsync(ReplicaSettings.Create(config), config, new RestoreFromBackup(path, KeepClusterId: false), CancellationToken.None));

        Assert.Contains($"replica 1 cannot restore: {path} passes its checksum but holds a state this build cannot read", refused.Message);
        Assert.False(Directory.Exists(Path.Combine(_directory.Path, "data")));
    }

    /// <summary>Lays a file out as the format says: the header prefix, SHA-256 over prefix and state, the state.</summary>
    private string Write(string name, string clusterId, long appliedBelow, long lastTimestamp, byte[] state)
    {
        var prefix = BackupFile.Prefix(clusterId, appliedBelow, lastTimestamp, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), state.Length);
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllBytes(path, [.. prefix, .. SHA256.HashData([.. prefix, .. state]), .. state]);
        return path;
    }
}
