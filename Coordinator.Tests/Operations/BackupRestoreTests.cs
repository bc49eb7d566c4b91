using System.Collections.Concurrent;
using System.Text;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;
using Xunit.Abstractions;

namespace Coordinator.Tests.Operations;

/// <summary>
/// <c>coord snapshot save</c> against real replica processes under a write load, and <c>Coordinator.Service --restore</c>
/// into a fresh cluster of real processes: the restored tree must be the source's at the backup's slot, exactly (data
/// and the slots that last changed each node), and damaged files must be refused before anything is written.
/// </summary>
[Trait("Category", "Operations")]
[Collection(ReplicaCollection.Name)]
public sealed class BackupRestoreTests(ITestOutputHelper output)
{
    private const int Writers = 4;
    /// <summary>Keys per writer: each writer owns its keys, so a key's writes come one at a time, in slot order.</summary>
    private const int Keys = 2;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_backup_taken_under_writes_restores_into_a_fresh_cluster_whose_tree_is_the_source_at_the_backup_slot()
    {
        var backup = Path.Combine(Path.GetTempPath(), $"coordinator-backup-{Guid.NewGuid():N}.snap");
        var again = backup + ".again";
        try
        {
            // What the source acknowledged: path -> (data, slot that last changed it), per write, in order per path.
            var acknowledged = new ConcurrentQueue<(string Path, string Data, long Slot)>();
            string sourceClusterId;
            long slot;
            using (var source = ProcessCluster.Create("backup-source", 3).StartAll())
            {
                await using (var setup = await ProcessClients.ConnectAsync(source.Endpoints.Values))
                {
                    await setup.CreateAsync("/load", []);
                    // Large values make the snapshot several of the gateway's 1 MiB chunks.
                    for (var big = 0; big < 3; big++)
                    {
                        var path = $"/load/big{big}";
                        await setup.CreateAsync(path, Encoding.UTF8.GetBytes(new string((char)('a' + big), 900_000)));
                        acknowledged.Enqueue((path, new string((char)('a' + big), 900_000), (await setup.ExistsAsync(path))!.Value.CreatedSlot));
                    }
                    foreach (var path in Enumerable.Range(0, Writers).SelectMany(writer => Enumerable.Range(0, Keys).Select(key => $"/load/k{writer}-{key}")))
                    {
                        await setup.CreateAsync(path, Encoding.UTF8.GetBytes("initial"));
                        acknowledged.Enqueue((path, "initial", (await setup.ExistsAsync(path))!.Value.CreatedSlot));
                    }
                }

                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, Writers).Select(writer => WriteAsync(source, writer, acknowledged, stop.Token)).ToList();
                await WaitForAsync(() => acknowledged.Count >= Writers * Keys + 100, "100 writes before the backup");
                var saved = await CliProcess.RunAsync(source.Servers, "snapshot", "save", backup);
                output.WriteLine($"save: {saved.ExitCode} {saved.Output} {saved.Error}");
                Assert.Equal(0, saved.ExitCode);
                var atSave = acknowledged.Count;
                await WaitForAsync(() => acknowledged.Count >= atSave + 100, "100 writes after the backup");
                await stop.CancelAsync();
                await Task.WhenAll(writers);

                var inspected = await CliProcess.RunAsync(source.Servers, "snapshot", "inspect", backup);
                output.WriteLine(inspected.Output);
                Assert.Equal(0, inspected.ExitCode);
                var header = ClusterBackup.Inspect(backup);
                Assert.Contains($"applied below  slot {header.AppliedBelow}", inspected.Output);
                Assert.Contains($"cluster id     {header.ClusterId}", inspected.Output);
                Assert.Contains($"sha-256        {header.Checksum} (checked)", inspected.Output);
                Assert.Contains($"state bytes    {header.StateBytes}", inspected.Output);
                Assert.True(header.StateBytes > 2 * (1 << 20), $"the snapshot should span several chunks, not {header.StateBytes} bytes");
                (sourceClusterId, slot) = (header.ClusterId, header.AppliedBelow);
            }

            // Taken under load: acknowledged writes on both sides of its slot.
            Assert.Contains(acknowledged, write => write.Slot >= slot);
            Assert.Contains(acknowledged, write => write.Slot < slot && write.Data.StartsWith("writer", StringComparison.Ordinal));
            var expected = acknowledged
                .Where(write => write.Slot < slot)
                .GroupBy(write => write.Path)
                .ToDictionary(group => group.Key, group => group.MaxBy(write => write.Slot));
            output.WriteLine($"backup at slot {slot}: {expected.Count} nodes under /load, {acknowledged.Count} writes acknowledged in all");

            using var restored = ProcessCluster.Create("backup-restored", 3).StartAll("--restore", backup);
            await using (var client = await ProcessClients.ConnectAsync(restored.Endpoints.Values))
            {
                await client.SyncAsync();
                var children = await client.GetChildrenAsync("/load");
                var tree = new Dictionary<string, (string Data, long Slot)>();
                foreach (var child in children)
                {
                    var node = await client.GetDataAsync($"/load/{child}");
                    tree[$"/load/{child}"] = (Encoding.UTF8.GetString(node.Data), node.Stat.ModifiedSlot);
                }
                Assert.Equal(expected.Keys.Order(), tree.Keys.Order());
                Assert.All(expected, entry => Assert.Equal((entry.Value.Data, entry.Value.Slot), tree[entry.Key]));

                var created = await client.CreateAsync("/after-restore", [1]);
                Assert.True((await client.ExistsAsync(created))!.Value.CreatedSlot >= slot, "the restored cluster goes on from the backup's slot");
            }
            Assert.All(restored.Processes, process => Assert.Contains("restored from", process.Log()));

            var savedAgain = await CliProcess.RunAsync(restored.Servers, "snapshot", "save", again);
            Assert.Equal(0, savedAgain.ExitCode);
            var restoredHeader = ClusterBackup.Inspect(again);
            Assert.NotEqual(sourceClusterId, restoredHeader.ClusterId);
            Assert.True(restoredHeader.AppliedBelow > slot);
        }
        finally
        {
            File.Delete(backup);
            File.Delete(again);
        }
    }

    [Fact]
    public async Task Corrupted_and_truncated_backups_are_refused_by_inspect_and_by_restore_and_so_is_a_used_data_directory_and_a_kept_id_is_kept()
    {
        using var source = ProcessCluster.Create("backup-damaged", 1).StartAll();
        var backup = Path.Combine(source.Directory, "good.snap");
        await using (var client = await ProcessClients.ConnectAsync(source.Endpoints.Values))
        {
            await client.CreateAsync("/kept", Encoding.UTF8.GetBytes("value"));
        }
        var saved = await CliProcess.RunAsync(source.Servers, "snapshot", "save", backup);
        Assert.Equal(0, saved.ExitCode);
        source.StopAll();

        var good = await File.ReadAllBytesAsync(backup);
        var header = ClusterBackup.Inspect(backup);
        var slotOffset = 8 + 2 + 1 + header.ClusterId.Length;
        var damaged = new Dictionary<string, (byte[] Bytes, string Says)>
        {
            ["state-byte-flipped"] = (Flip(good, good.Length - 1), "is corrupt"),
            ["slot-flipped"] = (Flip(good, slotOffset), "is corrupt"),
            ["truncated"] = (good[..^7], "is truncated"),
            ["header-only"] = (good[..20], "is truncated"),
            ["not-a-backup"] = ("hello"u8.ToArray(), "is not a Coordinator backup"),
        };
        foreach (var (name, (bytes, says)) in damaged)
        {
            var file = Path.Combine(source.Directory, $"{name}.snap");
            await File.WriteAllBytesAsync(file, bytes);

            var inspected = await CliProcess.RunAsync(source.Servers, "snapshot", "inspect", file);
            output.WriteLine($"{name}: inspect {inspected.ExitCode}: {inspected.Error}");
            Assert.Equal(2, inspected.ExitCode);
            Assert.StartsWith("error: ", inspected.Error);
            Assert.Contains(says, inspected.Error);
            Assert.DoesNotContain('\n', inspected.Error);

            using var fresh = ProcessCluster.Create($"restore-{name}", 1);
            var refused = fresh.Start(1, "--restore", file);
            await refused.WaitForExitAsync(Within);
            output.WriteLine($"{name}: restore {refused.ExitCode}: {refused.Log().Trim()}");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains($"error: replica 1 cannot restore: {file} {says}", refused.Log());
            Assert.False(File.Exists(Path.Combine(fresh.DataDirectory, "replica-1.identity")), "nothing is written for a refused file");
            Assert.False(File.Exists(Path.Combine(fresh.DataDirectory, "replica-1.db")), "nothing is written for a refused file");
        }

        var overUsed = source.Start(1, "--restore", backup);
        await overUsed.WaitForExitAsync(Within);
        Assert.NotEqual(0, overUsed.ExitCode);
        Assert.Contains("replica 1 refuses to restore: its data directory", overUsed.Log());

        var inspectedGood = await CliProcess.RunAsync(source.Servers, "snapshot", "inspect", backup, "--json");
        Assert.Equal(0, inspectedGood.ExitCode);
        Assert.Contains($"\"appliedBelow\":{header.AppliedBelow}", inspectedGood.Output);

        // A replacement for a lost cluster keeps its id when told to.
        using var replacement = ProcessCluster.Create("backup-keep-id", 1).StartAll("--restore", backup, "--keep-cluster-id");
        await using (var client = await ProcessClients.ConnectAsync(replacement.Endpoints.Values))
        {
            Assert.Equal("value"u8.ToArray(), (await client.GetDataAsync("/kept")).Data);
        }
        var fromReplacement = Path.Combine(replacement.Directory, "again.snap");
        Assert.Equal(0, (await CliProcess.RunAsync(replacement.Servers, "snapshot", "save", fromReplacement)).ExitCode);
        Assert.Equal(header.ClusterId, ClusterBackup.Inspect(fromReplacement).ClusterId);

        // A unit file that keeps --restore restarts the replica from its journal: nothing is seeded twice.
        replacement.StopAll();
        var restarted = replacement.Start(1, "--restore", backup, "--keep-cluster-id");
        await using (var client = await ProcessClients.ConnectAsync(replacement.Endpoints.Values))
        {
            Assert.Equal("value"u8.ToArray(), (await client.GetDataAsync("/kept")).Data);
        }
        Assert.Contains("was restored from", restarted.Log());
    }

    private static async Task WriteAsync(ProcessCluster cluster, int writer, ConcurrentQueue<(string Path, string Data, long Slot)> acknowledged, CancellationToken stop)
    {
        await using var client = await ProcessClients.ConnectAsync(cluster.Endpoints.Values);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            if (n % 3 == 2)
            {
                var path = await client.CreateAsync($"/load/w{writer}-{n}", Encoding.UTF8.GetBytes($"created {n}"));
                acknowledged.Enqueue((path, $"created {n}", (await client.ExistsAsync(path))!.Value.CreatedSlot));
            }
            else
            {
                var path = $"/load/k{writer}-{n % Keys}";
                var data = $"writer {writer} write {n}";
                var stat = await client.SetDataAsync(path, Encoding.UTF8.GetBytes(data));
                acknowledged.Enqueue((path, data, stat.ModifiedSlot));
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5a;
        return copy;
    }
}
