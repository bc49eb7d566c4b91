using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Sessions;

/// <summary>
/// An expiry storm on three real replica processes: a client process holding 2,000 sessions, each with an ephemeral
/// node, is SIGKILLed while other sessions write. Every node is gone within the session timeout plus a few seconds
/// (the leader hands the expiries to the log in bounded numbers), none before the sessions could have expired, and
/// the writers are never refused meanwhile.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class ExpiryStormProcessTests(ITestOutputHelper output)
{
    private const int Sessions = 2_000;
    private const int TimeoutSeconds = 4;

    [Fact]
    public async Task Every_ephemeral_of_a_killed_process_with_2000_sessions_goes_within_its_timeout_while_writes_go_on()
    {
        // At most 128 expiries unapplied at once: 2,000 sessions go through the log in at least 16 rounds.
        using var cluster = ProcessCluster.Create("storm", 3, "coordinator.replica.max-expiries-in-flight = 128").StartAll();
        var servers = cluster.Endpoints.Values.ToList();
        await using var writer = await CoordinatorClient.ConnectAsync(new CoordinatorClientOptions { Servers = [.. servers], ConnectTimeout = TimeSpan.FromSeconds(60) });
        await writer.CreateAsync("/storm-load", []);

        var lines = new List<string>();
        using var holder = ChildProcess.StartDotnet(ServiceBinary.BenchPath,
            ["--workload", "hold-sessions", "--servers", string.Join(',', servers), "--clients", $"{Sessions}", "--session-timeout", $"{TimeoutSeconds}", "--prefix", "/storm"],
            new Dictionary<string, string>(), null, line => Add(lines, line), line => Add(lines, line));
        var connecting = Stopwatch.StartNew();
        while (!Read(lines).Any(line => line.StartsWith("holding", StringComparison.Ordinal)))
        {
            Assert.False(holder.HasExited, $"the holder exited: {string.Join('\n', Read(lines))}");
            Assert.True(connecting.Elapsed < TimeSpan.FromSeconds(60), "the holder did not hold its sessions within 60 s");
            await Task.Delay(100);
        }
        Assert.Equal(Sessions, (await writer.ExistsAsync("/storm"))?.ChildCount);
        output.WriteLine($"{Sessions} sessions with ephemerals held after {connecting.Elapsed.TotalSeconds:F1} s");

        using var stop = new CancellationTokenSource();
        var writes = 0;
        var slowest = TimeSpan.Zero;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var issued = Stopwatch.StartNew();
                await writer.SetDataAsync("/storm-load", [1]);
                Interlocked.Increment(ref writes);
                slowest = issued.Elapsed > slowest ? issued.Elapsed : slowest;
            }
        });

        while (Volatile.Read(ref writes) < 20)
        {
            Assert.False(load.IsCompleted, "the writer stopped");
            await Task.Delay(20);
        }
        var writesBefore = Volatile.Read(ref writes);
        var killed = Stopwatch.StartNew();
        holder.Kill();
        var left = Sessions;
        var firstGoneAt = TimeSpan.Zero;
        while (left > 0 && killed.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds + 20))
        {
            await Task.Delay(50);
            left = (await writer.ExistsAsync("/storm"))?.ChildCount ?? 0;
            if (left < Sessions && firstGoneAt == TimeSpan.Zero)
            {
                firstGoneAt = killed.Elapsed;
            }
        }
        var allGoneAt = killed.Elapsed;
        await stop.CancelAsync();
        await load;
        output.WriteLine($"first ephemeral gone {firstGoneAt.TotalSeconds:F2} s after the SIGKILL, the last {allGoneAt.TotalSeconds:F2} s after it; " +
            $"{writes - writesBefore} writes meanwhile, the slowest {slowest.TotalMilliseconds:F0} ms");

        Assert.Equal(0, left);
        Assert.True(firstGoneAt > TimeSpan.FromSeconds(TimeoutSeconds / 2.0), "sessions expired before their timeout could have passed");
        // The timeout plus 5 s in the terms; a loaded CI machine gets 5 s more.
        Assert.True(allGoneAt < TimeSpan.FromSeconds(TimeoutSeconds + 10), $"the last ephemeral went {allGoneAt.TotalSeconds:F1} s after the kill");
        Assert.True(writes > writesBefore, "no write completed during the storm");
    }

    private static void Add(List<string> lines, string line)
    {
        lock (lines)
        {
            lines.Add(line);
        }
    }

    private static List<string> Read(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }
}
