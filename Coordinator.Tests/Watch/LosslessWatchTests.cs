using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;
using Xunit.Abstractions;

namespace Coordinator.Tests.Watch;

/// <summary>
/// A recursive watcher must see every change exactly once while it fails over (issue 18): before, a watcher pinned to
/// a killed replica lost the whole downtime, and two changes to one node in one slot arrived as one event. Three
/// writers on different replicas change one node, so slots hold several of its changes; the watcher's replica is
/// SIGKILLed, then the leader. Real processes, real SQLite files.
/// </summary>
[Trait("Category", "Watch")]
[Collection(ReplicaCollection.Name)]
public sealed class LosslessWatchTests(ITestOutputHelper output)
{
    private const int Writes = 10_000;
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_recursive_watcher_sees_every_change_once_while_its_replica_and_then_the_leader_are_killed()
    {
        using var cluster = ProcessCluster.Create("lossless-watch", 3);
        var endpoints = cluster.Endpoints;
        var processes = endpoints.Keys.ToDictionary(id => id, id => cluster.Start(id));
        await using var replicas = new RemoteReplicaClient(endpoints);
        await using var watcher = await ProcessClients.ConnectAsync(endpoints.Values);
        await watcher.CreateAsync("/w", []);
        await watcher.CreateAsync("/w/shared", []);
        using var stop = new CancellationTokenSource(Within);
        var events = new List<WatchEvent>();
        var ready = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in watcher.WatchAsync("/w", recursive: true, stop.Token))
            {
                lock (events)
                {
                    events.Add(e);
                }
                if (e is { Type: WatchEventType.NodeCreated, Path: "/w/ready" })
                {
                    ready.TrySetResult();
                }
            }
        });
        await watcher.CreateAsync("/w/ready", []);
        await ready.Task.WaitAsync(Within);
        var startVersion = (await watcher.GetDataAsync("/w/shared")).Stat.Version;

        var written = 0;
        var killed = new List<string>();
        var writers = Enumerable.Range(0, 3).Select(i => Task.Run(async () =>
        {
            // Writer i starts at replica i + 1; the client library fails over along the list.
            await using var writer = await ProcessClients.ConnectAsync([.. endpoints.Values.Skip(i), .. endpoints.Values.Take(i)]);
            while (Interlocked.Increment(ref written) <= Writes)
            {
                await SetUntilAppliedAsync(writer, stop.Token);
            }
        })).ToList();

        await WaitForAsync(() => Volatile.Read(ref written) >= Writes / 3);
        var watcherReplica = await WatcherReplicaAsync(endpoints);
        processes[watcherReplica].Kill();
        killed.Add($"replica {watcherReplica} (the watcher's) after {Volatile.Read(ref written)} writes");
        await WaitForAsync(() => Volatile.Read(ref written) >= Writes / 2);
        processes[watcherReplica] = cluster.Start(watcherReplica);

        await WaitForAsync(() => Volatile.Read(ref written) >= 2 * Writes / 3);
        var leader = (await replicas.LeaderAsync(endpoints.Keys, Within)).ReplicaId;
        processes[leader].Kill();
        killed.Add($"replica {leader} (the leader) after {Volatile.Read(ref written)} writes");
        await Task.WhenAll(writers).WaitAsync(Within);
        processes[leader] = cluster.Start(leader);

        await watcher.CreateAsync("/w/done", []);
        await WaitForAsync(() => { lock (events) { return events.Any(e => e.Path == "/w/done"); } });
        var endVersion = (await watcher.GetDataAsync("/w/shared")).Stat.Version;
        await stop.CancelAsync();
        await watching.WaitAsync(Within).ContinueWith(_ => { }, TaskScheduler.Default);

        List<WatchEvent> seen;
        lock (events)
        {
            seen = [.. events];
        }
        output.WriteLine($"killed {string.Join(", then ", killed)}; {seen.Count} events; shared went from version {startVersion} to {endVersion}");
        var changes = seen.Where(e => e is { Type: WatchEventType.NodeDataChanged, Path: "/w/shared" }).ToList();
        Assert.DoesNotContain(seen, e => e.Type == WatchEventType.Compacted);
        Assert.Equal(endVersion - startVersion, changes.Count);
        Assert.True(endVersion - startVersion >= Writes, $"only {endVersion - startVersion} changes applied");
        var positions = seen.Select(e => (e.Slot, e.Index)).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        Assert.Contains(changes.GroupBy(e => e.Slot), slot => slot.Count() > 1);
    }

    /// <summary>Retries a write that surely was not applied; one that may have been is counted by the node's version either way.</summary>
    private static async Task SetUntilAppliedAsync(CoordinatorClient writer, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await writer.SetDataAsync("/w/shared", [1], cancellationToken: cancellationToken);
                return;
            }
            catch (CoordinatorException e) when (e.Outcome == OperationOutcome.NotApplied)
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (CoordinatorException)
            {
                // Maybe applied: the node's version counts it either way.
                return;
            }
        }
    }

    private static async Task<int> WatcherReplicaAsync(IReadOnlyDictionary<int, string> endpoints)
    {
        var statuses = await ClusterStatus.QueryAsync(endpoints.Values, TimeSpan.FromSeconds(2));
        return Assert.Single(statuses, status => status.Watches > 0).ReplicaId;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Within, "timed out");
            await Task.Delay(20);
        }
    }
}
