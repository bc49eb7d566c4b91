using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Medallion.Threading;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class LockRecipeTests(ITestOutputHelper output)
{
    private const int Clients = 8;

    private const int Acquisitions = 1000;

    [Fact]
    public async Task Contending_clients_never_overlap_and_stale_tokens_are_never_accepted()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var clients = new List<CoordinatorClient>();
        for (var i = 0; i < Clients; i++)
        {
            clients.Add(await cluster.ConnectAsync());
        }
        var resource = new FencedResource();
        var watch = Stopwatch.StartNew();

        await Task.WhenAll(clients.Select(async client =>
        {
            IDistributedLockProvider provider = client.Locks;
            long previous = 0;
            for (var i = 0; i < Acquisitions / Clients; i++)
            {
                await using var handle = (CoordinatorLockHandle)await provider.AcquireLockAsync("orders", TimeSpan.FromSeconds(60));
                resource.Enter();
                Assert.True(handle.FencingToken > previous);
                Assert.True(resource.TryWrite(handle.FencingToken), "a current holder's write was rejected");
                if (previous > 0)
                {
                    resource.WriteStale(previous);
                }
                previous = handle.FencingToken;
                resource.Exit();
            }
        }));

        output.WriteLine($"{Acquisitions} acquisitions by {Clients} clients in {watch.Elapsed.TotalSeconds:F1} s ({watch.Elapsed.TotalMilliseconds / Acquisitions:F0} ms each)");
        Assert.Equal(Acquisitions, resource.Writes);
        Assert.Equal(0, resource.Overlaps);
        Assert.Equal(0, resource.StaleAccepted);
    }

    [Fact]
    public async Task Readers_share_a_reader_writer_lock_and_a_writer_waits_for_them()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var a = await cluster.ConnectAsync();
        var b = await cluster.ConnectAsync();
        var c = await cluster.ConnectAsync();
        IDistributedReaderWriterLock readerA = a.Locks.CreateReaderWriterLock("catalog");
        var readerB = b.Locks.CreateReaderWriterLock("catalog");
        var writerC = c.Locks.CreateReaderWriterLock("catalog");

        await using var first = await readerA.AcquireReadLockAsync();
        await using var second = await readerB.TryAcquireReadLockAsync();
        Assert.NotNull(second);
        Assert.Null(await writerC.TryAcquireWriteLockAsync(TimeSpan.Zero));

        await second.DisposeAsync();
        Assert.Null(await writerC.TryAcquireWriteLockAsync(TimeSpan.FromMilliseconds(300)));
        await first.DisposeAsync();
        await using var writer = await writerC.AcquireWriteLockAsync(TimeSpan.FromSeconds(10));
        Assert.Null(await a.Locks.TryAcquireAsync("/locks/catalog"));
    }

    [Fact]
    public async Task A_dead_holder_hands_the_lock_to_the_next_waiter_after_session_timeout_and_lock_delay()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var holder = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var waiter = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var held = await holder.Locks.AcquireAsync("orders");
        var waiting = waiter.Locks.AcquireAsync("orders", TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        var watch = Stopwatch.StartNew();
        await holder.AbandonAsync();
        await using var next = await waiting;
        var handover = watch.Elapsed;

        output.WriteLine($"handover after the holder died: {handover.TotalMilliseconds:F0} ms (session timeout {holder.SessionTimeout.TotalMilliseconds:F0} ms + lock-delay {RecipeCluster.LockDelay.TotalMilliseconds:F0} ms)");
        Assert.True(next.FencingToken > held.FencingToken);
        Assert.InRange(handover, RecipeCluster.LockDelay, holder.SessionTimeout + RecipeCluster.LockDelay + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task A_holder_cut_off_from_the_cluster_counts_its_lock_lost_before_anyone_else_gets_it()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var holder = await cluster.ConnectAsync(servers: [1], sessionTimeout: RecipeCluster.SessionTimeout);
        var waiter = await cluster.ConnectAsync(servers: [2, 3], sessionTimeout: RecipeCluster.SessionTimeout);
        await using var held = await holder.Locks.AcquireAsync("orders");
        var lost = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = new Stopwatch();
        held.HandleLostToken.Register(() => lost.TrySetResult(watch.Elapsed));
        var waiting = waiter.Locks.AcquireAsync("orders", TimeSpan.FromSeconds(30)).AsTask();

        watch.Start();
        await cluster.Cluster.KillAsync(1);
        await using var next = await waiting;
        var granted = watch.Elapsed;
        var lostAfter = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));

        output.WriteLine($"holder's HandleLostToken fired after {lostAfter.TotalMilliseconds:F0} ms; the waiter was granted after {granted.TotalMilliseconds:F0} ms");
        Assert.True(lostAfter < granted, "the old holder still believed it held the lock when the next one got it");
    }
}
