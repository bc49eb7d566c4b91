using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// Issue 15 finding 6 with real replica processes: a lease is granted under a leader with a true clock, then a replica
/// whose clock reads a minute ahead (<c>coordinator.fault-injection.clock-offset</c>) takes over. Before, its first
/// slot's stamp made the lease lapse at once; now the lease is held until its TTL has passed under the new leader
/// (deadlines restart at a full period), and then it lapses.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class ClockOffsetProcessTests(ITestOutputHelper output)
{
    private const int Ahead = 3;
    private const string Lease = "/lease";
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Offset = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_leader_whose_clock_is_a_minute_ahead_does_not_lapse_a_lease_early_and_it_lapses_in_due_time()
    {
        using var directory = new TempDirectory("clock-offset");
        var ports = FreePorts.Take(3);
        var endpoints = Enumerable.Range(1, 3).ToDictionary(id => id, id => $"127.0.0.1:{ports[id - 1]}");
        // The replica that is ahead also times out sooner, so it is the one that takes over when the leader dies.
        var configPath = await WriteConfigAsync(directory.Path, "cluster.conf", endpoints, "replica.election-timeout = 4s");
        var aheadConfigPath = await WriteConfigAsync(directory.Path, "ahead.conf", endpoints, $$"""
            replica.election-timeout = 1s
            fault-injection { enabled = on, clock-offset = {{Offset.TotalSeconds}}s }
            """);
        var processes = new Dictionary<int, ReplicaProcess>
        {
            [1] = ReplicaProcess.Start(configPath, 1, directory.Path),
            [2] = ReplicaProcess.Start(configPath, 2, directory.Path),
        };
        try
        {
            await using var status = new RemoteReplicaClient(endpoints);
            await using var client = await ProcessClients.ConnectAsync(endpoints.Values);
            var sinceAsked = Stopwatch.StartNew();
            var token = await client.AcquireLockAsync(Lease, wait: false, leaseTtl: LeaseTtl);
            output.WriteLine($"lease granted under a leader with a true clock, token {token}");

            processes[Ahead] = ReplicaProcess.Start(aheadConfigPath, Ahead, directory.Path);
            var (leaderKilledAt, takenOverAt) = await MakeLeaderAsync(Ahead, status, processes, configPath, directory.Path, sinceAsked);
            output.WriteLine($"replica {Ahead} (clock {Offset.TotalSeconds} s ahead) leads {takenOverAt.TotalSeconds:F1} s after the acquire");

            await client.CreateAsync("/stamped", []);
            var stamped = (await client.GetDataAsync("/stamped")).Stat;
            var ahead = stamped.ModifiedTime - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.True(ahead > (Offset - TimeSpan.FromSeconds(10)).TotalMilliseconds, $"the new leader's stamps should be about a minute ahead, are {ahead} ms");
            Assert.True(await CheckTokenAsync(client, token), "the lease lapsed when the leader whose clock is ahead took over");

            var lapsedAt = await WaitForLapseAsync(client, token, sinceAsked, takenOverAt + LeaseTtl + TimeSpan.FromSeconds(15));
            output.WriteLine($"lease lapsed {lapsedAt.TotalSeconds:F1} s after the acquire");
            Assert.True(lapsedAt >= LeaseTtl, $"lapsed {lapsedAt} after it was asked for, before its TTL");
            // Restarted at a full period under the new leader, elected after the old one was killed, and not much later.
            if (leaderKilledAt is { } killed)
            {
                Assert.True(lapsedAt >= killed + LeaseTtl, $"lapsed at {lapsedAt}, within the TTL of the old leader's death at {killed}");
            }
            Assert.True(lapsedAt <= takenOverAt + LeaseTtl + TimeSpan.FromSeconds(10), $"lapsed only at {lapsedAt}, takeover at {takenOverAt}");
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// Kills whoever else leads until <paramref name="id"/> wins an election. Returns when the last leader was killed
    /// (none if <paramref name="id"/> led without) and when <paramref name="id"/> was seen leading.
    /// </summary>
    private async Task<(TimeSpan? KilledAt, TimeSpan LeadsAt)> MakeLeaderAsync(
        int id, RemoteReplicaClient status, Dictionary<int, ReplicaProcess> processes, string configPath, string logDirectory, Stopwatch clock)
    {
        TimeSpan? killedAt = null;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var leader = await WaitForLeaderAsync(status, processes.Keys, caughtUp: id);
            if (leader == id)
            {
                return (killedAt, clock.Elapsed);
            }
            output.WriteLine($"attempt {attempt}: killing leader {leader}");
            killedAt = clock.Elapsed;
            processes[leader].Kill();
            var next = await WaitForLeaderAsync(status, processes.Keys.Where(other => other != leader), caughtUp: null);
            if (next == id)
            {
                return (killedAt, clock.Elapsed);
            }
            processes[leader].Dispose();
            processes[leader] = ReplicaProcess.Start(configPath, leader, logDirectory);
        }
        throw new InvalidOperationException($"replica {id} did not win an election in five attempts");
    }

    /// <summary>The replica that leads, once one does (and <paramref name="caughtUp"/>, if given, has applied as far).</summary>
    private static async Task<int> WaitForLeaderAsync(RemoteReplicaClient status, IEnumerable<int> ids, int? caughtUp)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var statuses = (await Task.WhenAll(ids.Select(status.StatusAsync))).OfType<ReplicaStatus>().ToList();
            if (statuses.Find(s => s.Role == ProposerRole.Leader) is { } leader
                && (caughtUp is not { } waiting || statuses.Find(s => s.ReplicaId == waiting) is { } follower && follower.AppliedBelow >= leader.AppliedBelow))
            {
                return leader.ReplicaId;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("no leader within a minute");
    }

    private static async Task<TimeSpan> WaitForLapseAsync(CoordinatorClient client, long token, Stopwatch clock, TimeSpan giveUpAt)
    {
        while (clock.Elapsed < giveUpAt)
        {
            if (!await CheckTokenAsync(client, token))
            {
                return clock.Elapsed;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the lease had not lapsed {giveUpAt} after it was asked for");
    }

    /// <summary>Whether the token is current; a write, so it goes through the leader's log. Retried over a failover.</summary>
    private static async Task<bool> CheckTokenAsync(CoordinatorClient client, long token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.CheckTokenAsync(Lease, token);
            }
            catch (Exception e) when (attempt < 10 && e is ConnectionLossException or RequestRejectedException)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> WriteConfigAsync(string directory, string name, Dictionary<int, string> endpoints, string extra)
    {
        var path = Path.Combine(directory, name);
        await File.WriteAllTextAsync(path, $$"""
            coordinator {
              replica.data-dir = "{{directory}}/data"
              replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
              {{extra}}
            }
            """);
        return path;
    }
}
