using Coordinator.Faults.Faults;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;
using Coordinator.Faults.Network;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Faults;

/// <summary>
/// The fault harness in CI: real replica processes under SIGKILL, SIGSTOP and partitions, every workload's history
/// judged by the checkers; partitions by nft in network namespaces (needs root and nft, as CI has) and, once, by the
/// replicas' own transports (the fallback without namespaces).
/// </summary>
[Trait("Category", "Fault")]
[Collection(ReplicaCollection.Name)]
public sealed class FaultHarnessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunBound = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(1001, "registers", "locks", NetworkKind.Namespaces)]
    [InlineData(1002, "sets", "ephemeral", NetworkKind.Namespaces)]
    [InlineData(1003, "registers", "ephemeral", NetworkKind.Transport)]
    public async Task A_twenty_second_run_under_every_fault_has_no_violation(int seed, string first, string second, NetworkKind network)
    {
        var report = await RunAsync(new RunOptions
        {
            Workloads = [first, second],
            Seed = seed,
            Duration = TimeSpan.FromSeconds(20),
            Network = network,
            ServiceDll = ServiceBinary.Path,
        });

        Assert.NotEmpty(report.Schedule);
        Assert.True(report.Outcomes[Outcome.Ok] > 50, $"only {report.Outcomes[Outcome.Ok]} operations succeeded");
        Assert.All(report.Verdicts, verdict => Assert.True(verdict.Kind == VerdictKind.Valid, verdict.ToString()));
        Assert.Null(report.RunDirectory);
        AssertNothingLeftBehind();
    }

    /// <summary>Issue 19: the secured transport under the same faults, with certificates from config/make-dev-certs.sh.</summary>
    [Fact]
    public async Task A_twenty_second_run_with_tls_between_everyone_has_no_violation()
    {
        var report = await RunAsync(new RunOptions
        {
            Workloads = ["registers", "ephemeral"],
            Seed = 1004,
            Duration = TimeSpan.FromSeconds(20),
            Tls = true,
            ServiceDll = ServiceBinary.Path,
        });

        Assert.True(report.Outcomes[Outcome.Ok] > 50, $"only {report.Outcomes[Outcome.Ok]} operations succeeded");
        Assert.All(report.Verdicts, verdict => Assert.True(verdict.Kind == VerdictKind.Valid, verdict.ToString()));
        AssertNothingLeftBehind();
    }

    [Fact]
    public async Task A_twenty_second_run_with_tls_and_authentication_has_no_violation()
    {
        // Anonymous sessions refused, every client logged in, every workload node guarded by digest:worker:cdrwa:
        // each checked operation passes an ACL check of a non-world entry, under the same faults.
        var report = await RunAsync(new RunOptions
        {
            Workloads = ["registers", "locks", "ephemeral"],
            Seed = 1006,
            Duration = TimeSpan.FromSeconds(20),
            Tls = true,
            Auth = true,
            ServiceDll = ServiceBinary.Path,
        });

        Assert.True(report.Outcomes[Outcome.Ok] > 50, $"only {report.Outcomes[Outcome.Ok]} operations succeeded");
        Assert.All(report.Verdicts, verdict => Assert.True(verdict.Kind == VerdictKind.Valid, verdict.ToString()));
        AssertNothingLeftBehind();
    }

    [Fact]
    public async Task Large_values_survive_kills_and_a_wiped_replica_refuses_to_start()
    {
        // 12 MiB of values: under Akka's 16 MiB frame, which a Promise carrying every vote since the last snapshot
        // still exceeds with more (issue 15, finding 1; the default budget of 128 MiB shows it). Seed 1005 kills a
        // replica four times, then truncates replica 2's journal.
        var report = await RunAsync(new RunOptions
        {
            Workloads = ["large-sets"],
            Seed = 1005,
            Duration = TimeSpan.FromSeconds(25),
            Faults = FaultKind.Kill | FaultKind.Wipe,
            LargeValueBudgetBytes = 12 * 1024 * 1024,
            ServiceDll = ServiceBinary.Path,
        });

        Assert.Single(report.Schedule, fault => fault.Kind == FaultKind.Wipe);
        Assert.True(report.Outcomes[Outcome.Ok] > 10, $"only {report.Outcomes[Outcome.Ok]} operations succeeded");
        Assert.Contains(report.Verdicts, verdict => verdict is { Workload: "wipe", Kind: VerdictKind.Valid });
        Assert.All(report.Verdicts, verdict => Assert.True(verdict.Kind == VerdictKind.Valid, verdict.ToString()));
        Assert.Null(report.RunDirectory);
        AssertNothingLeftBehind();
    }

    [Fact]
    public async Task The_checker_catches_stale_reads_of_the_unsafe_local_sync_bug()
    {
        // A replica cut off from the others answers sync from its own state, so its clients read values that
        // writes through the majority have already replaced. Its clients read only between their own writes, which
        // stall in a partition, so a stale read is likely but not certain in one run: up to eight seeds, stopping at
        // the first that shows it (seen: the first, the second, and none of the first three).
        foreach (var seed in Enumerable.Range(2001, 8))
        {
            var report = await RunAsync(new RunOptions
            {
                Workloads = ["registers"],
                Seed = seed,
                Duration = TimeSpan.FromSeconds(20),
                Faults = FaultKind.PartitionReplicas,
                UnsafeLocalSync = true,
                ServiceDll = ServiceBinary.Path,
            });
            if (report.Verdicts.Any(verdict => verdict.Workload == "registers" && verdict.Kind == VerdictKind.Violation))
            {
                AssertNothingLeftBehind();
                if (report.RunDirectory is { } kept)
                {
                    Directory.Delete(kept, recursive: true);
                }
                return;
            }
        }
        Assert.Fail("eight runs with the unsafe-local-sync bug and partitions found no linearizability violation");
    }

    [Fact]
    public async Task Watchers_on_overlapping_subtrees_receive_every_committed_change_once_under_every_fault()
    {
        var report = await RunAsync(new RunOptions
        {
            Workloads = ["watch"],
            Seed = 1007,
            Duration = TimeSpan.FromSeconds(20),
            ServiceDll = ServiceBinary.Path,
        });

        Assert.NotEmpty(report.Schedule);
        Assert.True(report.Outcomes[Outcome.Ok] > 500, $"only {report.Outcomes[Outcome.Ok]} operations succeeded");
        var verdict = Assert.Single(report.Verdicts);
        Assert.True(verdict is { Workload: "watch", Kind: VerdictKind.Valid }, verdict.ToString());
        Assert.Null(report.RunDirectory);
        AssertNothingLeftBehind();
    }

    [Fact]
    public async Task The_watch_checker_catches_a_replica_that_drops_one_replayed_event()
    {
        // Each replica drops the first event it replays: to a watcher starting from its slot at the start of the run,
        // or to one resuming after its replica was killed. Seen caught on the first seed; up to three are tried.
        foreach (var seed in Enumerable.Range(2011, 3))
        {
            var report = await RunAsync(new RunOptions
            {
                Workloads = ["watch"],
                Seed = seed,
                Duration = TimeSpan.FromSeconds(20),
                Faults = FaultKind.Kill,
                DropReplayedEvent = true,
                ServiceDll = ServiceBinary.Path,
            });
            if (report.Verdicts.Any(verdict => verdict is { Workload: "watch", Kind: VerdictKind.Violation } && verdict.Explanation.Contains(" lacks ", StringComparison.Ordinal)))
            {
                AssertNothingLeftBehind();
                if (report.RunDirectory is { } kept)
                {
                    Directory.Delete(kept, recursive: true);
                }
                return;
            }
        }
        Assert.Fail("three runs with the drop-replayed-event bug found no lost watch event");
    }

    private async Task<RunReport> RunAsync(RunOptions options)
    {
        using var bound = new CancellationTokenSource(RunBound);
        return await FaultRun.RunAsync(options, output.WriteLine, bound.Token);
    }

    /// <summary>Every namespace, bridge and claim of this process's runs is gone.</summary>
    private static void AssertNothingLeftBehind()
    {
        var claims = Directory.Exists("/run/coordinator-faults") ? Directory.GetFiles("/run/coordinator-faults", "*.pid") : [];
        Assert.DoesNotContain(claims, claim => File.ReadAllText(claim).Trim() == Environment.ProcessId.ToString());
    }
}
