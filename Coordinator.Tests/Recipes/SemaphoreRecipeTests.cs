using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Medallion.Threading;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

/// <summary>Issue 18: counting semaphores through DistributedLock's own interfaces, on an in-process cluster.</summary>
[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class SemaphoreRecipeTests(ITestOutputHelper output)
{
    private const int MaxCount = 3;

    [Fact]
    public async Task Contending_clients_never_hold_more_permits_than_the_max_count_and_tokens_increase()
    {
        const int clients = 7;
        const int rounds = 25;
        await using var cluster = await RecipeCluster.StartAsync();
        var providers = new List<IDistributedSemaphoreProvider>();
        for (var i = 0; i < clients; i++)
        {
            providers.Add((await cluster.ConnectAsync()).Locks);
        }
        var inside = 0;
        var mostInside = 0;
        var watch = Stopwatch.StartNew();

        await Task.WhenAll(providers.Select(async provider =>
        {
            var semaphore = provider.CreateSemaphore("workers", MaxCount);
            long previous = 0;
            for (var i = 0; i < rounds; i++)
            {
                await using var handle = (CoordinatorLockHandle)await semaphore.AcquireAsync(TimeSpan.FromSeconds(60));
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref mostInside, now);
                Assert.True(handle.FencingToken > previous, $"token {handle.FencingToken} after {previous}");
                previous = handle.FencingToken;
                await Task.Delay(5);
                Interlocked.Decrement(ref inside);
            }
        }));

        output.WriteLine($"{clients * rounds} permits by {clients} clients in {watch.Elapsed.TotalSeconds:F1} s; at most {mostInside} held at once");
        Assert.InRange(mostInside, 2, MaxCount);
    }

    [Fact]
    public async Task A_full_semaphore_refuses_a_try_and_hands_a_freed_permit_to_the_first_waiter()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var holders = new List<IDistributedSynchronizationHandle>();
        for (var i = 0; i < MaxCount; i++)
        {
            IDistributedSemaphoreProvider provider = (await cluster.ConnectAsync()).Locks;
            holders.Add(await provider.AcquireSemaphoreAsync("pool", MaxCount));
        }
        var first = (await cluster.ConnectAsync()).Locks.CreateSemaphore("pool", MaxCount);
        var second = (await cluster.ConnectAsync()).Locks.CreateSemaphore("pool", MaxCount);

        Assert.Null(await ((IDistributedSemaphore)first).TryAcquireAsync(TimeSpan.Zero));
        Assert.Null(await ((IDistributedSemaphore)first).TryAcquireAsync(TimeSpan.FromMilliseconds(200)));
        var firstWaiting = first.AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(300);
        var secondWaiting = second.AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(300);
        Assert.False(firstWaiting.IsCompleted || secondWaiting.IsCompleted);

        await holders[1].DisposeAsync();
        await using var granted = await firstWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.False(secondWaiting.IsCompleted, "the later waiter was granted the one freed permit");
        await holders[0].DisposeAsync();
        await using var next = await secondWaiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(next.FencingToken > granted.FencingToken);
        await holders[2].DisposeAsync();
    }

    [Fact]
    public async Task A_dead_holder_frees_its_permit_after_session_timeout_and_lock_delay()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var holder = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var other = await cluster.ConnectAsync();
        var waiter = await cluster.ConnectAsync();
        IDistributedSemaphoreProvider holders = holder.Locks;
        var held = await holders.AcquireSemaphoreAsync("pool", 2);
        await using var kept = await ((IDistributedSemaphoreProvider)other.Locks).AcquireSemaphoreAsync("pool", 2);
        var waiting = ((IDistributedSemaphoreProvider)waiter.Locks).AcquireSemaphoreAsync("pool", 2, TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        var watch = Stopwatch.StartNew();
        await holder.AbandonAsync();
        await using var next = await waiting;
        output.WriteLine($"permit handed over {watch.Elapsed.TotalMilliseconds:F0} ms after its holder died");
        Assert.InRange(watch.Elapsed, RecipeCluster.LockDelay, RecipeCluster.SessionTimeout + RecipeCluster.LockDelay + TimeSpan.FromSeconds(3));
        Assert.True(await waiter.CheckTokenAsync("/locks/pool", ((CoordinatorLockHandle)next).FencingToken));
        Assert.True(await waiter.CheckTokenAsync("/locks/pool", ((CoordinatorLockHandle)kept).FencingToken));
        Assert.False(await waiter.CheckTokenAsync("/locks/pool", ((CoordinatorLockHandle)held).FencingToken));
    }

    [Fact]
    public async Task A_different_count_a_lock_of_the_same_name_and_a_second_permit_are_refused_with_reasons()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var a = await cluster.ConnectAsync();
        var b = await cluster.ConnectAsync();
        IDistributedSemaphoreProvider semaphores = a.Locks;
        await using var held = await semaphores.AcquireSemaphoreAsync("pool", MaxCount);

        var otherCount = await Assert.ThrowsAsync<CoordinatorException>(() => b.Locks.CreateSemaphore("pool", 2).AcquireAsync().AsTask());
        Assert.Equal(ErrorCode.BadArguments, otherCount.Code);
        Assert.Contains("is a semaphore of max count 3, not 2", otherCount.Message);
        var asLock = await Assert.ThrowsAsync<CoordinatorException>(() => b.Locks.AcquireAsync("pool").AsTask());
        Assert.Contains("is a semaphore of max count 3, not a lock", asLock.Message);
        var again = await Assert.ThrowsAsync<CoordinatorException>(() => a.Locks.CreateSemaphore("pool", MaxCount).AcquireAsync().AsTask());
        Assert.Equal(ErrorCode.LockAlreadyRequested, again.Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => semaphores.CreateSemaphore("pool", 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => a.AcquireSemaphoreAsync("/locks/pool", 0));

        await held.DisposeAsync();
        await using var resized = await b.Locks.CreateSemaphore("pool", 2).AcquireAsync(TimeSpan.FromSeconds(10));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}
