using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Coordinator.Service.FaultInjection;
using Coordinator.Service.Runtime;
using Microsoft.Extensions.Hosting.Systemd;

namespace Coordinator.Service;

/// <summary>
/// <c>Coordinator.Service --config FILE [--id N]</c> runs one replica until Ctrl-C or SIGTERM.
/// <c>Coordinator.Service --dev [--config FILE]</c> runs every replica the file lists in this one process
/// (default <c>config/dev-cluster.conf</c>: three replicas on 127.0.0.1 with SQLite files under ./data).
/// <c>--restore FILE [--keep-cluster-id]</c> first seeds each replica it starts, on an empty data directory, from a
/// backup saved with <c>coord snapshot save</c>.
/// </summary>
internal static class Program
{
    private const string DevConfig = "config/dev-cluster.conf";

    /// <summary>The development cluster serves replica N's /metrics and /health on 127.0.0.1:(this + N).</summary>
    private const int DevMonitoringPortBase = 9400;

    /// <summary>The development cluster serves replica N's ZooKeeper port on 127.0.0.1:(this + N), ZooKeeper's 2181 for replica 1.</summary>
    private const int DevZooKeeperPortBase = 2180;

    /// <summary>
    /// Pool threads the runtime starts at once, without its hill-climbing delay of about a second per thread: SQLite's
    /// async calls run synchronously, so a journal write or a snapshot of hundreds of MB holds a pool thread for as long
    /// as the disk takes, and with a pool sized to two cores the replica's own actor waited behind them for longer than
    /// an election timeout.
    /// </summary>
    private const int MinPoolThreads = 32;

    private static async Task<int> Main(string[] args)
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinPoolThreads), Math.Max(completionPorts, MinPoolThreads));
        var dev = args.Contains("--dev");
        var configPath = ArgValue(args, "--config") ?? (dev ? DevConfig : null);
        if (configPath is null)
        {
            Console.Error.WriteLine("usage: Coordinator.Service --config FILE [--id N]   |   Coordinator.Service --dev [--config FILE]   " +
                "(either with --restore BACKUP [--keep-cluster-id])");
            return 2;
        }
        if (!File.Exists(configPath))
        {
            Console.Error.WriteLine($"error: configuration file {configPath} not found");
            return 2;
        }
        var config = ConfigurationFactory.ParseString(await File.ReadAllTextAsync(configPath));
        if (ArgValue(args, "--id") is { } id)
        {
            config = ConfigurationFactory.ParseString($"coordinator.replica.id = {id}").WithFallback(config);
        }

        var ids = dev ? ReplicaIds(config) : [config.GetInt("coordinator.replica.id")];
        var restore = ArgValue(args, "--restore") is { } backup ? new RestoreFromBackup(backup, args.Contains("--keep-cluster-id")) : null;
        var hosts = new List<ReplicaHost>();
        try
        {
            foreach (var replicaId in ids)
            {
                var replicaConfig = ConfigurationFactory.ParseString($"coordinator.replica.id = {replicaId}").WithFallback(config);
                if (dev)
                {
                    replicaConfig = ConfigurationFactory
                        .ParseString($"""
                            coordinator.monitoring.http-endpoint = "127.0.0.1:{DevMonitoringPortBase + replicaId}"
                            coordinator.zookeeper.endpoint = "127.0.0.1:{DevZooKeeperPortBase + replicaId}"
                            """)
                        .WithFallback(replicaConfig);
                }
                var host = await ReplicaHost.StartAsync(replicaConfig, () => CreateStateMachine(replicaConfig), restore: restore);
                hosts.Add(host);
                if (restore is not null)
                {
                    Console.WriteLine(host.SeededFromBackup
                        ? $"replica {replicaId} restored from {restore.Path} as cluster {host.ClusterId}"
                        : $"replica {replicaId} was restored from {restore.Path} before (cluster {host.ClusterId}); it starts from its journal");
                }
                Console.WriteLine(StartupSummary(host));
            }
        }
        catch (ReplicaStartException refused)
        {
            Console.Error.WriteLine($"error: {refused.Message}");
            await StopAll(hosts);
            return 1;
        }

        var stopped = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopped.TrySetResult();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stopped.TrySetResult();
        // SIGTERM (systemd, Kubernetes, docker stop) stops the replicas in order, as Ctrl-C does, before the process
        // exits; without this the runtime would exit as soon as ProcessExit's handlers returned.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stopped.TrySetResult();
        });
        Console.WriteLine(dev ? $"development cluster of {hosts.Count} replicas running; Ctrl-C stops it" : "replica running; Ctrl-C stops it");
        // Under systemd (Type=notify, config/coordinator.service) the unit is started once its replicas recovered.
        var systemd = new SystemdNotifier();
        if (systemd.IsEnabled)
        {
            systemd.Notify(ServiceState.Ready);
        }
        using var stopReading = new CancellationTokenSource();
        if (hosts.Select(host => host.Blackhole).OfType<IActorRef>().ToList() is [_, ..] blackholes)
        {
            // Standard input is the fault harness: once it closes, the harness is gone and its replicas go too.
            _ = TransportBlackhole.ForwardCommandsAsync(Console.In, blackholes, Console.Out, Console.Error, stopReading.Token)
                .ContinueWith(_ => stopped.TrySetResult(), TaskScheduler.Default);
        }
        var failed = Task.WhenAny(hosts.Select(host => host.System.WhenTerminated));
        var first = await Task.WhenAny(stopped.Task, failed);
        await stopReading.CancelAsync();
        if (systemd.IsEnabled)
        {
            systemd.Notify(ServiceState.Stopping);
        }
        await StopAll(hosts);
        if (first == failed && !stopped.Task.IsCompleted)
        {
            Console.Error.WriteLine("error: a replica stopped unexpectedly; see the log above");
            return 1;
        }
        return 0;
    }

    private static IReplicatedStateMachine CreateStateMachine(Config config) =>
        new TreeStateMachine(ReplicaSettings.Create(config.WithFallback(ReplicaHost.ReferenceConfig)).StateMachine);

    private static int[] ReplicaIds(Config config) =>
        [.. config.GetConfig("coordinator.replicas").AsEnumerable().Select(entry => int.Parse(entry.Key)).Order()];

    private static string Describe(StorageSettings storage) =>
        storage.Provider == StorageProvider.Sqlite ? $"SQLite {Path.GetFullPath(storage.SqlitePath)}" : "PostgreSQL";

    private static string StartupSummary(ReplicaHost host)
    {
        var settings = host.Settings;
        var monitoring = host.Monitoring.Enabled
            ? $"http://{host.Monitoring.Endpoint}/metrics, /health/live, /health/ready"
            : "monitoring off";
        return $"replica {settings.ReplicaId} up on {settings.Endpoint}, one of {settings.Replicas.Count} replicas; journal {Describe(settings.Storage)}; " +
            $"data dir {Path.GetFullPath(settings.DataDir)}; {monitoring}";
    }

    private static async Task StopAll(IEnumerable<ReplicaHost> hosts)
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
    }

    private static string? ArgValue(string[] args, string flag)
    {
        var index = Array.IndexOf(args, flag);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
