using Coordinator.Client;
using Coordinator.Faults.Cluster;
using Coordinator.Faults.Faults;
using Coordinator.Faults.History;
using Coordinator.Faults.Network;
using Coordinator.Faults.Workloads;

namespace Coordinator.Faults.Harness;

/// <summary>
/// One fault run: a fresh cluster of real replica processes (in their own network namespaces, or on loopback behind
/// their transports' blackholes), the workloads running concurrently while the seed's fault schedule plays, then
/// healing (and, with a set workload, killing and restarting every replica not retired by a wipe), the final reads,
/// and the checkers' verdicts, with one verdict per wipe on whether its replica refused to start. The run directory
/// (seed, configs, replica logs, history) is deleted when the run passes and kept when it fails or a checker finds a
/// violation.
/// </summary>
public static class FaultRun
{
    private static readonly TimeSpan WindDown = TimeSpan.FromSeconds(60);

    public static async Task<RunReport> RunAsync(RunOptions options, Action<string> log, CancellationToken cancellationToken = default)
    {
        if (options.Network == NetworkKind.Namespaces && NamespaceNetwork.Unavailable() is { } reason)
        {
            throw new PlatformNotSupportedException($"network namespaces are unavailable: {reason} (--network transport works without them)");
        }
        var workloads = options.Workloads.Select(name => WorkloadCatalog.Create(name, options.LargeValueBudgetBytes)).ToList();
        var ids = Enumerable.Range(1, options.Replicas).ToList();
        var schedule = FaultSchedule.Generate(options.Seed, ids, options.Duration, options.Faults);
        var runDirectory = Directory.CreateDirectory(
            Path.Combine(options.RunsDirectory, $"seed-{options.Seed}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}")).FullName;
        var header = $"seed {options.Seed}: {string.Join("+", options.Workloads)} on {options.Replicas} replicas for {options.Duration.TotalSeconds:0} s"
            + (options.UnsafeLocalSync ? " (unsafe-local-sync bug on)" : "")
            + (options.DropReplayedEvent ? " (drop-replayed-event bug on)" : "")
            + (options.Tls ? " over TLS" : "")
            + (options.Auth ? " with authentication and digest ACLs" : "");
        File.WriteAllLines(Path.Combine(runDirectory, "seed.txt"), [header, .. schedule.Select(fault => fault.ToString())]);
        log($"run {header}; {schedule.Count} faults scheduled; directory {runDirectory}");
        foreach (var fault in schedule)
        {
            log($"  scheduled {fault}");
        }
        var keep = options.Keep;
        try
        {
            var report = await ExecuteAsync(options, workloads, ids, schedule, runDirectory, log, cancellationToken);
            keep |= report.HasViolation;
            log($"  outcomes: {string.Join(", ", report.Outcomes.Select(pair => $"{pair.Key} {pair.Value}"))}");
            foreach (var verdict in report.Verdicts)
            {
                log($"  verdict {verdict}");
            }
            if (report.HasViolation)
            {
                log($"  VIOLATION with seed {options.Seed}; run directory kept: {runDirectory}");
            }
            return report with { RunDirectory = keep ? runDirectory : null };
        }
        catch (Exception failure)
        {
            keep = true;
            var what = failure is OperationCanceledException && cancellationToken.IsCancellationRequested ? "was interrupted" : $"failed: {failure.Message}";
            log($"  run with seed {options.Seed} {what}; run directory kept: {runDirectory}");
            throw;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(runDirectory, recursive: true);
            }
        }
    }

    private static async Task<RunReport> ExecuteAsync(
        RunOptions options, List<IWorkload> workloads, List<int> ids, IReadOnlyList<Fault> schedule, string runDirectory, Action<string> log, CancellationToken cancellationToken)
    {
        var historyPath = Path.Combine(runDirectory, "history.jsonl");
        FaultInjector injector;
        using (var network = CreateNetwork(options.Network, ids, log))
        {
            var certificates = options.Tls
                ? RunCertificates.Make(runDirectory, ids.ToDictionary(id => id, id => HostOf(network.Endpoint(id))), options.ServiceDll)
                : null;
            var authentication = options.Auth ? RunAuthentication.Make() : null;
            using (var cluster = ReplicaCluster.Create(
                network, ids, runDirectory, options.ServiceDll, options.UnsafeLocalSync, options.DropReplayedEvent,
                (certificates?.ReplicaHocon ?? "") + "\n" + (authentication?.ReplicaHocon ?? "")))
            using (var history = new HistoryFile(historyPath))
            {
                var context = new WorkloadContext(
                    new Recorder(history), cluster.Endpoints, network.ClientHost, network.ClientAkkaConfig, options.Seed, log,
                    certificates?.ClientOptions, authentication?.WorkerCredentials);
                injector = new FaultInjector(cluster, log, fault => RecordDisruption(context.Recorder, fault),
                    wipe => context.Recorder.Instant(0, wipe.Refused ? "wipe-refused" : "wipe-started", "cluster", wipe.Replica));
                cluster.StartAll();
                if (authentication is not null)
                {
                    await AddWorkerAsync(context, authentication, cluster.Endpoints, options.Tls, log, cancellationToken);
                }
                foreach (var workload in workloads)
                {
                    await workload.SetUpAsync(context, cancellationToken);
                }
                log("  cluster up, workloads running");
                using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    stop.CancelAfter(options.Duration);
                    var running = Task.WhenAll(workloads.Select(workload => workload.RunAsync(context, stop.Token)));
                    await injector.RunAsync(schedule, stop.Token);
                    await running.WaitAsync(options.Duration + WindDown, cancellationToken);
                }
                cluster.Heal();
                if (workloads.OfType<SetWorkload>().Any())
                {
                    log(cluster.Retired.Count == 0
                        ? "  healed; killing and restarting every replica"
                        : $"  healed; killing and restarting every replica but the retired [{string.Join(",", cluster.Retired.Order())}]");
                    cluster.KillAll();
                    cluster.StartAll();
                }
                foreach (var workload in workloads)
                {
                    await workload.FinishAsync(context, cancellationToken);
                }
                foreach (var (at, replicaId) in LeaderElections.Read(runDirectory))
                {
                    context.Recorder.InstantAt(at, 0, "leader", "cluster", replicaId);
                }
                foreach (var (at, replicaId) in LeaderElections.ReadStepDowns(runDirectory))
                {
                    // A leader's term that ended without an injected fault: the checkers treat it like one.
                    context.Recorder.InstantAt(at, 0, "fault", "stepped-down", replicaId);
                }
            }
        }
        var operations = HistoryFile.Read(historyPath);
        var outcomes = Enum.GetValues<Outcome>().ToDictionary(outcome => outcome, outcome => operations.Count(operation => operation.Outcome == outcome));
        var verdicts = workloads.Select(workload => workload.Check([.. operations.Where(workload.Owns)])).ToList();
        verdicts.AddRange(injector.Wipes.Select(wipe => new Verdict("wipe", wipe.Refused ? VerdictKind.Valid : VerdictKind.Violation, wipe.Explanation)));
        return new RunReport(options.Seed, schedule, outcomes, verdicts, runDirectory);
    }

    /// <summary>
    /// The super user adds the workload user, and then each replica must take its login before the workloads start: a
    /// replica learns of a user when it applies the add, so a lagging one would refuse the first login.
    /// </summary>
    private static async Task AddWorkerAsync(
        WorkloadContext context, RunAuthentication authentication, IReadOnlyList<string> endpoints, bool tls, Action<string> log,
        CancellationToken cancellationToken)
    {
        var setup = TimeSpan.FromSeconds(60);
        var session = TimeSpan.FromSeconds(10);
        await WorkloadContext.PersistAsync("adding the workload user", setup, async ct =>
        {
            await using var admin = await context.ConnectToAsync(endpoints, authentication.AdminCredentials, session, ct);
            await admin.SetUserAsync(RunAuthentication.Worker, authentication.WorkerPassword, ct);
            return true;
        }, cancellationToken);
        foreach (var endpoint in endpoints)
        {
            await WorkloadContext.PersistAsync($"logging in as {RunAuthentication.Worker} at {endpoint}", setup, async ct =>
            {
                await using var worker = await context.ConnectToAsync([endpoint], authentication.WorkerCredentials, session, ct);
                return true;
            }, cancellationToken);
        }
        if (tls)
        {
            // Over TLS every client of the run presents the run's client certificate, so one without credentials is
            // that certificate's x509 session, not an anonymous one; the workload nodes' digest ACL leaves it out.
            log($"  users: {RunAuthentication.Admin} (super user) added {RunAuthentication.Worker}; every replica takes its login");
            return;
        }
        await WorkloadContext.PersistAsync("checking that an anonymous session is refused", setup, async ct =>
        {
            try
            {
                await using var anonymous = await context.ConnectToAsync(endpoints, null, session, ct);
            }
            catch (AuthFailedException)
            {
                return true;
            }
            throw new InvalidOperationException("the cluster gave an anonymous client a session: the run would not check what --auth says");
        }, cancellationToken);
        log($"  users: {RunAuthentication.Admin} (super user) added {RunAuthentication.Worker}; every replica takes its login; anonymous sessions are refused");
    }

    private static string HostOf(string endpoint) => endpoint[..endpoint.LastIndexOf(':')];

    private static IFaultNetwork CreateNetwork(NetworkKind kind, List<int> ids, Action<string> log)
    {
        var whyNotNamespaces = kind == NetworkKind.Transport ? "--network transport" : NamespaceNetwork.Unavailable();
        IFaultNetwork network = whyNotNamespaces is null ? NamespaceNetwork.Create(ids, log) : TransportNetwork.Create(ids);
        log($"  network: {network.Description}{(whyNotNamespaces is null ? "" : $" (no namespaces: {whyNotNamespaces})")}");
        return network;
    }

    /// <summary>
    /// A replica killed, paused or cut off may have been the leader: its term, and the session expiries it was about
    /// to propose, end there, and no session can expire until the next leader's fresh timeout runs out.
    /// </summary>
    private static void RecordDisruption(Recorder recorder, Fault fault)
    {
        if (fault.Kind == FaultKind.Wipe)
        {
            recorder.Instant(0, "wipe", "cluster", fault.Replicas[0]);
        }
        if (fault.Kind is FaultKind.Kill or FaultKind.Pause or FaultKind.PartitionReplicas or FaultKind.Wipe)
        {
            foreach (var replica in fault.Replicas)
            {
                recorder.Instant(0, "fault", "cluster", replica);
            }
        }
    }
}
