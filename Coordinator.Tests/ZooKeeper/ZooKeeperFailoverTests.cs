using Xunit;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>
/// The ZooKeeper Java client survives the SIGKILL of the replica it is connected to: it reconnects to another
/// replica with the same session, its ephemeral node is still there, its one-shot watch still fires, and its
/// persistent recursive watch hears of a change made while it was between replicas.
/// </summary>
[Trait("Category", "ZooKeeper")]
public sealed class ZooKeeperFailoverTests
{
    [Fact]
    public async Task The_Java_client_keeps_its_session_ephemerals_and_watches_when_its_replica_is_killed()
    {
        using var cluster = await ZooKeeperProcessCluster.StartAsync("zookeeper-failover");
        using var java = ExternalClient.JavaProbe("failover", cluster.ConnectString, cluster.Directory, cluster.Directory);
        var connected = await java.WaitForLineAsync("CONNECTED ", TimeSpan.FromSeconds(60));
        Assert.True(connected is not null, java.Output);
        var port = connected!["CONNECTED ".Length..];
        var victim = cluster.ZooKeeperEndpoints.Single(entry => entry.Value.EndsWith($":{port}", StringComparison.Ordinal)).Key;

        cluster.Kill(victim);
        await File.WriteAllTextAsync(Path.Combine(cluster.Directory, "killed"), "");
        await java.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.DoesNotContain(java.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.True(java.ExitCode == 0 && java.Lines.Contains("ALL DONE"), java.Output);
        Assert.Contains("OK same session", java.Lines);
        Assert.Contains("OK ephemeral kept", java.Lines);
        Assert.Contains("OK watch kept", java.Lines);
        Assert.Contains("OK persistent watch kept", java.Lines);
    }
}
