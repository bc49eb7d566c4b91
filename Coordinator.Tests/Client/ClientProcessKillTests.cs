using System.Diagnostics;
using System.Threading.Channels;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Client;

/// <summary>A client process killed with SIGKILL: its session expires, its ephemeral node goes, watchers hear it.</summary>
[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class ClientProcessKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_ephemeral_node_of_a_killed_client_process_vanishes_after_its_session_timeout()
    {
        await using var cluster = await ClientCluster.StartAsync("coordinator.state-machine.min-session-timeout = 2s");
        var servers = string.Join(',', cluster.Cluster.Ids.Select(cluster.Cluster.Endpoint));
        var observer = await cluster.ConnectAsync();
        using var holder = CliProcess.Start(servers, ["create", "/presence/worker-1", "alive", "--ephemeral", "--parents", "--hold", "--session-timeout", "3"]);
        await holder.WaitForOutputAsync("/presence/worker-1", TimeSpan.FromSeconds(30));
        var events = Channel.CreateUnbounded<WatchEvent>();
        Assert.NotNull(await observer.ExistsAsync("/presence/worker-1", e => events.Writer.TryWrite(e)));

        var killedAt = Stopwatch.StartNew();
        holder.Kill();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var deleted = await events.Reader.ReadAsync(patience.Token);
        output.WriteLine($"coord (pid {holder.Pid}) SIGKILLed; its ephemeral node vanished {killedAt.ElapsedMilliseconds} ms later (session timeout 3 s)");

        Assert.Equal(WatchEventType.NodeDeleted, deleted.Type);
        Assert.True(killedAt.Elapsed > TimeSpan.FromSeconds(1.5), "the session ended before its timeout could have passed");
        Assert.Null(await observer.ExistsAsync("/presence/worker-1"));
    }
}
