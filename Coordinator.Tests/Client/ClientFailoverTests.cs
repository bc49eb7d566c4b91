using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Client;

/// <summary>Killing the replica a client is attached to: the session, its ephemerals and its watches carry on.</summary>
[Trait("Category", "Client")]
[Collection(ReplicaCollection.Name)]
public sealed class ClientFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_survives_the_loss_of_its_replica_without_losing_or_repeating_a_write()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var client = await cluster.ConnectAsync([1, 2, 3], sessionTimeout: TimeSpan.FromSeconds(8));
        var observer = await cluster.ConnectAsync([2, 3, 1]);
        await client.CreateAsync("/log", []);
        await client.CreateAsync("/watched", []);
        var ephemeral = await client.CreateAsync("/owned-by-client", [], NodeKind.Ephemeral);
        var events = Channel.CreateUnbounded<WatchEvent>();
        await client.GetDataAsync("/watched", e => events.Writer.TryWrite(e));
        var states = new List<ConnectionState>();
        client.ConnectionStateChanged += (_, e) => { lock (states) { states.Add(e.State); } };

        var acknowledged = new List<string>();
        var unknown = 0;
        var killedAt = Stopwatch.StartNew();
        TimeSpan? firstWriteAfterKill = null;
        for (var i = 0; i < 60; i++)
        {
            if (i == 20)
            {
                await cluster.Cluster.KillAsync(1);
                killedAt.Restart();
            }
            try
            {
                acknowledged.Add(await client.CreateAsync("/log/entry-", Encoding.UTF8.GetBytes($"write-{i}"), NodeKind.PersistentSequential));
                if (i >= 20 && firstWriteAfterKill is null)
                {
                    firstWriteAfterKill = killedAt.Elapsed;
                }
            }
            catch (ConnectionLossException)
            {
                unknown++;
            }
        }
        output.WriteLine($"first write after killing the client's replica: {firstWriteAfterKill?.TotalMilliseconds:F0} ms; {unknown} writes with unknown outcome; states {string.Join(",", states)}");
        Assert.NotNull(firstWriteAfterKill);
        Assert.True(firstWriteAfterKill < client.SessionTimeout, "the client did not resume within its session timeout");
        Assert.NotEqual(ConnectionState.Expired, client.State);

        await observer.SyncAsync();
        var children = await observer.GetChildrenAsync("/log");
        var payloads = new List<string>();
        foreach (var child in children)
        {
            payloads.Add(Encoding.UTF8.GetString((await observer.GetDataAsync($"/log/{child}")).Data));
        }
        Assert.All(acknowledged, path => Assert.Contains(path["/log/".Length..], children));
        Assert.Equal(payloads.Count, payloads.Distinct().Count());
        Assert.InRange(children.Count, acknowledged.Count, acknowledged.Count + unknown);

        Assert.Equal(client.SessionId, (await observer.ExistsAsync(ephemeral))?.EphemeralOwner);
        await observer.SetDataAsync("/watched", [1]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var fired = await events.Reader.ReadAsync(timeout.Token);
        Assert.Equal(WatchEventType.NodeDataChanged, fired.Type);
    }

    [Fact]
    public async Task Writes_in_flight_when_the_leader_dies_are_answered_without_waiting_out_the_request_timeout()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var leader = await cluster.Cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(20));
        // A request timeout far beyond the test's bound: only the gateway resending to the new leader, and clients
        // leaving a replica whose connection dropped, can get these writes answered in time.
        var patience = TimeSpan.FromSeconds(60);
        var clients = new List<CoordinatorClient>();
        for (var i = 0; i < 6; i++)
        {
            clients.Add(await cluster.ConnectAsync(sessionTimeout: TimeSpan.FromSeconds(20), requestTimeout: patience));
        }
        await clients[0].CreateAsync("/failover", []);
        var killedAt = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var writers = clients.Select(async client =>
        {
            while (!stop.IsCancellationRequested)
            {
                var issuedAfterKill = killedAt.Task.IsCompleted;
                await client.CreateAsync("/failover/entry-", [], NodeKind.PersistentSequential);
                if (issuedAfterKill)
                {
                    return DateTime.UtcNow - killedAt.Task.Result;
                }
            }
            return TimeSpan.MaxValue;
        }).ToList();
        await Task.Delay(500);
        await cluster.Cluster.KillAsync(leader);
        killedAt.SetResult(DateTime.UtcNow);

        var recovered = await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(25));
        output.WriteLine($"first write after the leader's death, per client: {string.Join(", ", recovered.Select(gap => $"{gap.TotalMilliseconds:F0} ms"))}");
        Assert.All(recovered, gap => Assert.True(gap < TimeSpan.FromSeconds(15), $"a client needed {gap} to write after the kill"));
    }
}
