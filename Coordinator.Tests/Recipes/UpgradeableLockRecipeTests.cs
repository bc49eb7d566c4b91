using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Medallion.Threading;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

/// <summary>Issue 18: upgradeable reader-writer locks through DistributedLock's own interfaces, on an in-process cluster.</summary>
[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class UpgradeableLockRecipeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task An_upgradeable_read_goes_beside_readers_and_keeps_out_another_upgradeable_and_a_writer()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        IDistributedUpgradeableReaderWriterLockProvider a = (await cluster.ConnectAsync()).Locks;
        IDistributedUpgradeableReaderWriterLockProvider b = (await cluster.ConnectAsync()).Locks;
        IDistributedUpgradeableReaderWriterLockProvider c = (await cluster.ConnectAsync()).Locks;
        IDistributedUpgradeableReaderWriterLockProvider d = (await cluster.ConnectAsync()).Locks;

        await using var reader = await a.AcquireReadLockAsync("config");
        await using var upgradeable = await b.AcquireUpgradeableReadLockAsync("config", TimeSpan.FromSeconds(10));
        await using var secondReader = await c.AcquireReadLockAsync("config", TimeSpan.FromSeconds(10));
        Assert.Null(await d.CreateUpgradeableReaderWriterLock("config").TryAcquireUpgradeableReadLockAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Null(await d.TryAcquireWriteLockAsync("config", TimeSpan.Zero));
        Assert.Equal(LockMode.Upgradeable, ((CoordinatorUpgradeableLockHandle)upgradeable).Mode);
    }

    [Fact]
    public async Task An_upgrade_waits_for_the_readers_holds_newcomers_off_and_gets_a_higher_token()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var clientA = await cluster.ConnectAsync();
        IDistributedUpgradeableReaderWriterLockProvider a = clientA.Locks;
        IDistributedUpgradeableReaderWriterLockProvider b = (await cluster.ConnectAsync()).Locks;
        IDistributedUpgradeableReaderWriterLockProvider c = (await cluster.ConnectAsync()).Locks;

        var reader = await b.AcquireReadLockAsync("doc");
        await using var handle = await a.AcquireUpgradeableReadLockAsync("doc");
        var readToken = ((CoordinatorUpgradeableLockHandle)handle).FencingToken;
        var upgrading = handle.UpgradeToWriteLockAsync(TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(Settle);
        Assert.False(upgrading.IsCompleted, "upgraded while a reader held the lock");
        var newcomer = c.AcquireReadLockAsync("doc", TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(Settle);
        Assert.False(newcomer.IsCompleted, "a reader arriving during the upgrade passed it");

        var watch = Stopwatch.StartNew();
        await reader.DisposeAsync();
        await upgrading.WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"upgraded {watch.Elapsed.TotalMilliseconds:F0} ms after the last reader left");
        var upgraded = (CoordinatorUpgradeableLockHandle)handle;
        Assert.Equal(LockMode.Exclusive, upgraded.Mode);
        Assert.True(upgraded.FencingToken > readToken, $"write token {upgraded.FencingToken} after read token {readToken}");
        Assert.True(await clientA.CheckTokenAsync("/locks/doc", upgraded.FencingToken));
        Assert.False(await clientA.CheckTokenAsync("/locks/doc", readToken));
        await Task.Delay(Settle);
        Assert.False(newcomer.IsCompleted, "a reader was granted beside the writer");
        await Assert.ThrowsAsync<InvalidOperationException>(() => handle.TryUpgradeToWriteLockAsync().AsTask());

        await handle.DisposeAsync();
        await using var read = await newcomer.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_upgrade_that_times_out_leaves_the_upgradeable_hold_intact()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var clientA = await cluster.ConnectAsync();
        IDistributedUpgradeableReaderWriterLockProvider a = clientA.Locks;
        IDistributedUpgradeableReaderWriterLockProvider b = (await cluster.ConnectAsync()).Locks;
        IDistributedUpgradeableReaderWriterLockProvider c = (await cluster.ConnectAsync()).Locks;
        IDistributedUpgradeableReaderWriterLockProvider d = (await cluster.ConnectAsync()).Locks;

        await using var reader = await b.AcquireReadLockAsync("doc");
        var handle = await a.AcquireUpgradeableReadLockAsync("doc");
        var token = ((CoordinatorUpgradeableLockHandle)handle).FencingToken;
        Assert.False(await handle.TryUpgradeToWriteLockAsync(TimeSpan.Zero));
        Assert.False(await handle.TryUpgradeToWriteLockAsync(TimeSpan.FromMilliseconds(300)));
        await Assert.ThrowsAsync<TimeoutException>(() => handle.UpgradeToWriteLockAsync(TimeSpan.FromMilliseconds(200)).AsTask());
        using (var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handle.UpgradeToWriteLockAsync(cancellationToken: cancelled.Token).AsTask());
        }

        Assert.Equal(LockMode.Upgradeable, ((CoordinatorUpgradeableLockHandle)handle).Mode);
        Assert.True(await clientA.CheckTokenAsync("/locks/doc", token));
        Assert.False(handle.HandleLostToken.IsCancellationRequested);
        // The given-up upgrade no longer holds readers off, and the hold still keeps another upgradeable out.
        await using (await c.AcquireReadLockAsync("doc", TimeSpan.FromSeconds(5)))
        {
            Assert.Null(await d.TryAcquireUpgradeableReadLockAsync("doc", TimeSpan.FromMilliseconds(200)));
        }

        await reader.DisposeAsync();
        Assert.True(await handle.TryUpgradeToWriteLockAsync(TimeSpan.FromSeconds(10)));
        await handle.DisposeAsync();
        await using var next = await c.AcquireUpgradeableReadLockAsync("doc", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Contending_clients_never_write_beside_anyone_and_tokens_increase()
    {
        const int clients = 5;
        const int rounds = 12;
        await using var cluster = await RecipeCluster.StartAsync();
        var providers = new List<IDistributedUpgradeableReaderWriterLockProvider>();
        for (var i = 0; i < clients; i++)
        {
            providers.Add((await cluster.ConnectAsync()).Locks);
        }
        var readers = 0;
        var upgradeables = 0;
        var writers = 0;
        var violations = new List<string>();
        var upgrades = 0;
        var watch = Stopwatch.StartNew();

        await Task.WhenAll(providers.Select(async (provider, index) =>
        {
            var rw = provider.CreateUpgradeableReaderWriterLock("shared-doc");
            long previous = 0;
            for (var i = 0; i < rounds; i++)
            {
                if ((i + index) % 2 == 0)
                {
                    await using var read = await rw.AcquireReadLockAsync(TimeSpan.FromSeconds(60));
                    Enter(ref readers);
                    await Task.Delay(3);
                    Interlocked.Decrement(ref readers);
                    continue;
                }
                await using var handle = await rw.AcquireUpgradeableReadLockAsync(TimeSpan.FromSeconds(60));
                Enter(ref upgradeables);
                Check(Volatile.Read(ref upgradeables) == 1, $"{Volatile.Read(ref upgradeables)} upgradeable holders");
                var token = ((CoordinatorUpgradeableLockHandle)handle).FencingToken;
                Check(token > previous, $"upgradeable token {token} after {previous}");
                previous = token;
                await handle.UpgradeToWriteLockAsync(TimeSpan.FromSeconds(60));
                Interlocked.Increment(ref upgrades);
                Interlocked.Decrement(ref upgradeables);
                Check(Volatile.Read(ref readers) == 0 && Volatile.Read(ref upgradeables) == 0, "a writer beside a reader");
                Enter(ref writers);
                token = ((CoordinatorUpgradeableLockHandle)handle).FencingToken;
                Check(token > previous, $"write token {token} after {previous}");
                previous = token;
                await Task.Delay(3);
                Interlocked.Decrement(ref writers);
            }
        }));

        output.WriteLine($"{clients * rounds} holds ({upgrades} upgraded) by {clients} clients in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(violations);
        Assert.Equal(clients * rounds / 2, upgrades);

        void Enter(ref int count)
        {
            Check(Volatile.Read(ref writers) == 0, "a holder beside a writer");
            Interlocked.Increment(ref count);
        }

        void Check(bool ok, string what)
        {
            if (!ok)
            {
                lock (violations)
                {
                    violations.Add(what);
                }
            }
        }
    }

    [Fact]
    public async Task A_dead_upgradeable_holder_is_released_with_its_session_and_its_pending_upgrade_with_it()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var holder = await cluster.ConnectAsync(sessionTimeout: RecipeCluster.SessionTimeout);
        var readerClient = await cluster.ConnectAsync();
        IDistributedUpgradeableReaderWriterLockProvider other = (await cluster.ConnectAsync()).Locks;
        await using var reader = await ((IDistributedUpgradeableReaderWriterLockProvider)readerClient.Locks).AcquireReadLockAsync("job");
        var held = await ((IDistributedUpgradeableReaderWriterLockProvider)holder.Locks).AcquireUpgradeableReadLockAsync("job");
        _ = held.UpgradeToWriteLockAsync().AsTask();
        await Task.Delay(Settle);
        var waiting = other.AcquireUpgradeableReadLockAsync("job", TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(Settle);
        Assert.False(waiting.IsCompleted);

        var watch = Stopwatch.StartNew();
        await holder.AbandonAsync();
        await using var next = await waiting;
        output.WriteLine($"upgradeable lock handed over {watch.Elapsed.TotalMilliseconds:F0} ms after its holder died");
        Assert.InRange(watch.Elapsed, RecipeCluster.LockDelay, RecipeCluster.SessionTimeout + RecipeCluster.LockDelay + TimeSpan.FromSeconds(3));
        Assert.False(await readerClient.CheckTokenAsync("/locks/job", ((CoordinatorUpgradeableLockHandle)held).FencingToken));
    }
}
