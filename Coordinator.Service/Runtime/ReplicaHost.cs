using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence.Sql;
using Coordinator.Client;
using Coordinator.Service.FaultInjection;
using Coordinator.Service.Gateway;
using Coordinator.Service.Operations;
using Coordinator.Service.Persistence;
using Coordinator.Service.ZooKeeper;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Starts one replica: checks its configuration and journal, starts its ActorSystem on the configured endpoint,
/// joins the Akka cluster, and waits until the replica has recovered from its journal. A replica that cannot
/// recover refuses to start: it never serves from a half-read state.
/// </summary>
internal sealed class ReplicaHost : IAsyncDisposable
{
    private ReplicaHost(ActorSystem system, IActorRef replica, IActorRef gateway, IActorRef? transportBlackhole, ReplicaSettings settings, string clusterId)
    {
        ClusterId = clusterId;
        System = system;
        Replica = replica;
        Gateway = gateway;
        Blackhole = transportBlackhole;
        Settings = settings;
    }

    public ActorSystem System { get; }

    public IActorRef Replica { get; }

    public IActorRef Gateway { get; }

    /// <summary>Takes <see cref="BlackholeCommand"/>s; only with <c>coordinator.fault-injection.transport-blackhole</c>.</summary>
    public IActorRef? Blackhole { get; }

    public ReplicaSettings Settings { get; }

    /// <summary>Where /metrics and /health are served, if anywhere (<c>coordinator.monitoring</c>).</summary>
    public MonitoringSettings Monitoring { get; private init; } = null!;

    /// <summary>The cluster this replica belongs to, as its identity file records it (see <see cref="ClusterIds"/>).</summary>
    public string ClusterId { get; }

    /// <summary>This start seeded the replica from a backup (see <see cref="BackupRestore"/>).</summary>
    public bool SeededFromBackup { get; private set; }

    /// <summary>The embedded defaults every configuration falls back to.</summary>
    public static Config ReferenceConfig { get; } = LoadReference();

    /// <param name="restore">Seeds the replica from a backup first (a replica of a new cluster, on an empty data directory).</param>
    /// <exception cref="ReplicaStartException">The replica cannot start; the message says why.</exception>
    public static async Task<ReplicaHost> StartAsync(
        Config config, Func<IReplicatedStateMachine> stateMachineFactory, CancellationToken cancellationToken = default, RestoreFromBackup? restore = null)
    {
        var resolved = config.WithFallback(ConciseLogger.Config).WithFallback(ReferenceConfig);
        ReplicaSettings settings;
        MonitoringSettings monitoring;
        ZooKeeperSettings zooKeeper;
        TlsSettings tls;
        Setup? tlsSetup;
        try
        {
            settings = ReplicaSettings.Create(resolved);
            tls = TlsSettings.Create(resolved.GetConfig(TlsSettings.Path));
            tlsSetup = tls.Enabled ? tls.TransportSetup(settings.ReplicaId, settings.Replicas) : null;
            // A session's certificate proof is checked against the cluster's CA (read above by TransportSetup, which
            // refuses a bad file by name) and must name this replica's listed address.
            settings = settings with
            {
                Gateway = settings.Gateway with
                {
                    Security = settings.Gateway.Security with
                    {
                        ClientAuthorities = tls.Enabled ? CertificateFiles.LoadAuthorities(tls.CaPath) : null,
                        Gateway = settings.Endpoint,
                    },
                },
            };
            monitoring = MonitoringSettings.Create(resolved.GetConfig(MonitoringSettings.Path));
            zooKeeper = ZooKeeperSettings.Create(resolved.GetConfig(ZooKeeperSettings.Path));
            // Read again by the replica's logger; checked here so a bad value is refused by name before the system starts.
            _ = LoggingSettings.Create(resolved.GetConfig(LoggingSettings.Path));
        }
        catch (ConfigurationException invalid)
        {
            throw new ReplicaStartException($"invalid configuration: {invalid.Message}", invalid);
        }
        var directoryLock = DataDirectoryLock.Take(settings.DataDir, settings.ReplicaId);
        try
        {
            if (settings.Storage.Provider == StorageProvider.Sqlite
                && await LegacySnapshotMigration.MoveAsync(settings.Storage.LegacySqliteSnapshotPath, settings.Storage.SqliteSnapshotDirectory, cancellationToken) is > 0 and var moved)
            {
                Console.WriteLine($"replica {settings.ReplicaId}: moved {moved} snapshot(s) from {settings.Storage.LegacySqliteSnapshotPath} to {settings.Storage.SqliteSnapshotDirectory}");
            }
            var seeded = restore is not null && await BackupRestore.SeedAsync(settings, resolved, restore, cancellationToken);
            var host = await StartLockedAsync(settings, resolved, stateMachineFactory, directoryLock, monitoring, zooKeeper, tlsSetup, cancellationToken);
            host.SeededFromBackup = seeded;
            return host;
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    private static async Task<ReplicaHost> StartLockedAsync(
        ReplicaSettings settings, Config resolved, Func<IReplicatedStateMachine> stateMachineFactory, DataDirectoryLock directoryLock,
        MonitoringSettings monitoring, ZooKeeperSettings zooKeeper, Setup? tlsSetup, CancellationToken cancellationToken)
    {
        var history = await JournalStore.ReadHistoryAsync(settings.Storage, ReplicaActor.PersistenceIdOf(settings.ReplicaId), cancellationToken);
        var hasHistory = !history.IsEmpty;
        var identity = AmnesiaCheck.Decide(
            settings.ReplicaId, ReplicaIdentity.Read(settings.DataDir, settings.ReplicaId), history, JournalStore.Describe(settings.Storage));
        var clusterId = identity.ClusterId ?? ClusterIds.ForNewCluster(settings.Replicas);
        identity = identity with { ClusterId = clusterId };
        if (hasHistory)
        {
            identity.Write(settings.DataDir);
        }
        await JournalStore.CheckAsync(settings.Storage, cancellationToken);

        var (host, port) = SplitEndpoint(settings.Endpoint);
        EnsurePortIsFree(settings, host, port);
        var blackhole = TransportBlackhole.Enabled(resolved);
        var protocol = TlsSettings.ProtocolOf(tlsSetup is not null, blackhole);
        var seeds = string.Join(", ", settings.Replicas.Values.Select(endpoint => $"\"{ReplicaSettings.AddressOf(endpoint, protocol)}\""));
        var networking = ConfigurationFactory.ParseString($"""
            akka.remote.dot-netty.tcp.hostname = "{host}"
            akka.remote.dot-netty.tcp.port = {port}
            akka.cluster.seed-nodes = [{seeds}]
            """);
        if (blackhole)
        {
            networking = networking.WithFallback(TransportBlackhole.AkkaConfig);
        }
        if (tlsSetup is not null)
        {
            networking = TransportTls.Over(networking);
        }
        var full = networking
            .WithFallback(JournalStore.PersistenceConfig(settings.Storage))
            .WithFallback(resolved)
            .WithFallback(SqlPersistence.DefaultConfiguration);

        ActorSystem system;
        try
        {
            var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(full));
            if (JournalStore.PersistenceSetup(settings.Storage) is { } persistence)
            {
                setup = setup.And(persistence);
            }
            if (tlsSetup is not null)
            {
                setup = setup.And(tlsSetup);
            }
            system = ActorSystem.Create(ReplicaSettings.SystemName, setup);
        }
        catch (Exception failure)
        {
            throw new ReplicaStartException($"replica {settings.ReplicaId} could not open {settings.Endpoint}: {failure.GetBaseException().Message}", failure);
        }
        var replicaMetrics = new ReplicaMetrics(settings.ReplicaId);
        var gatewayMetrics = new GatewayMetrics();
        system.RegisterOnTermination(() =>
        {
            replicaMetrics.Dispose();
            gatewayMetrics.Dispose();
        });
        if (monitoring.Enabled)
        {
            // Up before recovery, so /health/live answers while a long journal is read.
            await StartMonitoringAsync(system, settings, monitoring, replicaMetrics, gatewayMetrics);
        }
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stateMachine = stateMachineFactory();
        var replica = system.ActorOf(
            Props.Create(() => new ReplicaActor(settings, stateMachine, recovered, replicaMetrics, hasHistory ? null : () => identity.Write(settings.DataDir))),
            ReplicaSettings.ReplicaActorName);
        // The gateway holds the replica's own reference (no path lookup per client request). Until it exists no
        // client can be attached, so a change applied before then has nobody to tell.
        var gateway = system.ActorOf(Props.Create(() => new GatewayActor(settings.Gateway, replica, gatewayMetrics, clusterId)), ReplicaSettings.GatewayActorName);
        var transportBlackhole = blackhole
            ? system.ActorOf(Props.Create(() => new TransportBlackholeActor(settings.Replicas.Values)), "transport-blackhole")
            : null;
        if (stateMachine is TreeStateMachine tree)
        {
            tree.Applied = applied => gateway.Tell(applied);
            tree.Installed = installed => gateway.Tell(installed);
        }
        try
        {
            await recovered.Task.WaitAsync(settings.RecoveryTimeout, cancellationToken);
        }
        catch (Exception failure)
        {
            await system.Terminate();
            var reason = failure is TimeoutException
                ? $"replica {settings.ReplicaId} did not recover its journal within {settings.RecoveryTimeout.TotalSeconds:0} s"
                : failure.Message;
            throw new ReplicaStartException(reason, failure);
        }
        Cluster.Get(system);
        if (zooKeeper.Enabled)
        {
            // After recovery: a ZooKeeper client's first read must not see a half-read state.
            await StartZooKeeperAsync(system, settings, zooKeeper, gateway, replica);
        }
        // Released as part of termination, before WhenTerminated completes: a replica restarted in the same process
        // right after its system stopped finds the lock free.
        system.RegisterOnTermination(directoryLock.Dispose);
        _ = replica.WatchAsync().ContinueWith(_ =>
        {
            if (CoordinatedShutdown.Get(system).ShutdownReason is not null)
            {
                return Task.CompletedTask;
            }
            system.Log.Error("Replica {0} stopped (a journal write failed, or a bug); shutting its process down", settings.ReplicaId);
            return system.Terminate();
        }, TaskScheduler.Default);
        return new ReplicaHost(system, replica, gateway, transportBlackhole, settings, clusterId) { Monitoring = monitoring };
    }

    private static async Task StartMonitoringAsync(
        ActorSystem system, ReplicaSettings settings, MonitoringSettings monitoring, ReplicaMetrics replicaMetrics, GatewayMetrics gatewayMetrics)
    {
        MonitoringServer server;
        try
        {
            server = MonitoringServer.Start(monitoring, replicaMetrics, gatewayMetrics);
        }
        catch (Exception failure)
        {
            await system.Terminate();
            throw new ReplicaStartException(
                $"replica {settings.ReplicaId} could not serve monitoring on {monitoring.Endpoint}: {failure.GetBaseException().Message}", failure);
        }
        system.RegisterOnTermination(server.Dispose);
    }

    private static async Task StartZooKeeperAsync(ActorSystem system, ReplicaSettings settings, ZooKeeperSettings zooKeeper, IActorRef gateway, IActorRef replica)
    {
        ZooKeeperListener listener;
        try
        {
            listener = ZooKeeperListener.Start(system, zooKeeper, gateway, replica);
        }
        catch (Exception failure)
        {
            await system.Terminate();
            throw new ReplicaStartException(
                $"replica {settings.ReplicaId} could not serve ZooKeeper clients on {zooKeeper.Endpoint}: {failure.GetBaseException().Message}", failure);
        }
        system.RegisterOnTermination(listener.Dispose);
    }

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await System.WhenTerminated;
    }

    /// <summary>
    /// Akka.Remote's transport binds with SO_REUSEPORT, so a second process on a taken port would start and split the
    /// replica's traffic with the first. A bind without it first turns that into a refusal.
    /// </summary>
    private static void EnsurePortIsFree(ReplicaSettings settings, string host, int port)
    {
        try
        {
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
            foreach (var address in addresses)
            {
                using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                AllowTimeWait(probe);
                probe.Bind(new IPEndPoint(address, port));
            }
        }
        catch (SocketException taken)
        {
            throw new ReplicaStartException($"replica {settings.ReplicaId} could not open {settings.Endpoint}: {taken.Message}", taken);
        }
    }

    /// <summary>
    /// SO_REUSEADDR alone, so connections of a previous run in TIME_WAIT do not block the bind while a socket listening
    /// on the port does. .NET's ReuseAddress also sets SO_REUSEPORT on Linux, which would let the probe share the port.
    /// </summary>
    private static void AllowTimeWait(Socket probe)
    {
        const int solSocket = 1;
        const int soReuseAddr = 2;
        if (OperatingSystem.IsLinux())
        {
            probe.SetRawSocketOption(solSocket, soReuseAddr, BitConverter.GetBytes(1));
        }
    }

    private static (string Host, int Port) SplitEndpoint(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port))
        {
            throw new ReplicaStartException($"invalid replica endpoint '{endpoint}': expected host:port");
        }
        return (endpoint[..colon], port);
    }

    private static Config LoadReference()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Coordinator.Service.reference.conf")
            ?? throw new InvalidOperationException("The embedded reference.conf is missing from the build.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
