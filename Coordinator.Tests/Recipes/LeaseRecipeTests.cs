using System.Diagnostics;
using Akka.Actor;
using Akka.Coordination;
using Coordinator.Client.Recipes;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Recipes;

[Trait("Category", "Recipes")]
[Collection(ReplicaCollection.Name)]
public sealed class LeaseRecipeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_lease_is_acquired_lost_with_its_session_and_acquired_again()
    {
        await using var cluster = await RecipeCluster.StartAsync();
        var system = ActorSystem.Create("lease-test", $$"""
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            coordinator-lease {
              lease-class = "{{typeof(CoordinatorLease).AssemblyQualifiedName}}"
              servers = ["{{cluster.Cluster.Endpoint(1)}}"]
              session-timeout = 2s
            }
            """);
        try
        {
            var lease = LeaseProvider.Get(system).GetLease("shard-1", "coordinator-lease", "node-a");
            var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            Assert.True(await lease.Acquire(e => lost.TrySetResult(e)));
            Assert.True(lease.CheckLease());
            var rival = await cluster.ConnectAsync(servers: [2, 3]);
            Assert.Null(await rival.Locks.TryAcquireAsync("/akka/leases/shard-1"));

            var watch = Stopwatch.StartNew();
            await cluster.Cluster.KillAsync(1);
            await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var lostAfter = watch.Elapsed;
            Assert.False(lease.CheckLease());

            await cluster.Cluster.StartAsync(1);
            var reacquired = false;
            while (!reacquired)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(40), "lease not reacquired in time");
                try
                {
                    reacquired = await lease.Acquire();
                }
                catch (LeaseException)
                {
                    // The replica is still starting, or the old session's lock is still in its lock-delay.
                }
                if (!reacquired)
                {
                    await Task.Delay(250);
                }
            }

            output.WriteLine($"lease lost {lostAfter.TotalMilliseconds:F0} ms after its replica was killed; reacquired {watch.Elapsed.TotalMilliseconds:F0} ms after (replica restarted in between)");
            Assert.True(lease.CheckLease());
            Assert.True(await lease.Release());
            Assert.False(lease.CheckLease());
        }
        finally
        {
            await system.Terminate();
        }
    }
}
