using System.Diagnostics;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>The built service as three real processes; one is killed with SIGKILL and comes back.</summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class ReplicaProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Writes_go_on_when_a_replica_process_is_killed_and_it_catches_up_after_restart()
    {
        using var directory = new TempDirectory("processes");
        var ports = FreePorts.Take(3);
        var endpoints = new Dictionary<int, string> { [1] = $"127.0.0.1:{ports[0]}", [2] = $"127.0.0.1:{ports[1]}", [3] = $"127.0.0.1:{ports[2]}" };
        var configPath = Path.Combine(directory.Path, "cluster.conf");
        await File.WriteAllTextAsync(configPath, $$"""
            coordinator {
              replica.data-dir = "{{directory.Path}}/data"
              replica.snapshot-interval = 50
              replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
            }
            """);
        var processes = endpoints.Keys.ToDictionary(id => id, id => ReplicaProcess.Start(configPath, id, directory.Path));
        try
        {
            await using var status = new RemoteReplicaClient(endpoints);
            await using var client = await ProcessClients.ConnectAsync(endpoints.Values);
            for (var i = 0; i < 40; i++)
            {
                await client.CreateAsync($"/before-{i}", [1, 2, 3]);
            }

            var leader = await LeaderAsync(status, endpoints.Keys);
            var killedAt = Stopwatch.StartNew();
            processes[leader].Kill();
            await client.CreateAsync("/first-after-kill", []);
            output.WriteLine($"SIGKILLed leader {leader} (pid {processes[leader].Pid}); first write applied {killedAt.ElapsedMilliseconds} ms later");
            for (var i = 0; i < 40; i++)
            {
                await client.CreateAsync($"/after-{i}", [4]);
            }

            processes[leader] = ReplicaProcess.Start(configPath, leader, directory.Path);
            var caughtUp = await WaitForAgreementAsync(status, endpoints.Keys, TimeSpan.FromSeconds(60));
            output.WriteLine($"restarted replica {leader} caught up: every replica applied below slot {caughtUp}");
            Assert.True(caughtUp >= 82);
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                process.Dispose();
            }
        }
    }

    private static async Task<int> LeaderAsync(RemoteReplicaClient client, IEnumerable<int> ids)
    {
        foreach (var id in ids)
        {
            if (await client.StatusAsync(id) is { Role: ProposerRole.Leader })
            {
                return id;
            }
        }
        throw new InvalidOperationException("no replica claims to lead right after a write was applied");
    }

    private static async Task<long> WaitForAgreementAsync(RemoteReplicaClient client, IEnumerable<int> ids, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await Task.WhenAll(ids.Select(client.StatusAsync));
            if (statuses.All(status => status is not null)
                && statuses.Select(status => status!.AppliedBelow).Distinct().Count() == 1
                && statuses.All(status => status!.KnownChosenBelow == status.AppliedBelow))
            {
                return statuses[0]!.AppliedBelow;
            }
            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"replicas did not agree within {within}: {string.Join("; ", statuses.Select(status => status?.ToString() ?? "down"))}");
            }
            await Task.Delay(100);
        }
    }
}
