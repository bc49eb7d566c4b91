using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Coordinator.Client;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;
using Xunit.Abstractions;

namespace Coordinator.Tests.Security;

/// <summary>
/// Issue 19: Akka.Remote 1.5 stops an ActorSystem whose outbound TLS handshake fails (see HandshakeProbeTransport).
/// Replicas 1 and 2 of a three-replica TLS cluster run; at replica 3's address runs something whose certificate
/// they refuse. Before the handshake probe, replica 1 stopped within seconds of dialling it.
/// </summary>
[Trait("Category", "Security")]
[Collection(ReplicaCollection.Name)]
public sealed class TlsHandshakeFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WritingFor = TimeSpan.FromSeconds(20);

    /// <summary>The longest any one step may take: a client of a stopped ActorSystem would otherwise wait on.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_replica_with_another_CAs_certificate_cannot_join_and_the_healthy_replicas_serve_on()
    {
        await using var setup = await HealthyPairAsync();
        using var strangers = new TempDirectory("stranger-ca");
        using var stranger = new TestAuthority(strangers.Path, "stranger-ca");
        var (certificate, key) = stranger.Issue("replica-3");
        // A real replica 3, configured with another cluster's CA and certificate.
        var foreign = ConfigurationFactory.ParseString($$"""
            coordinator.tls { certificate = "{{certificate}}", private-key = "{{key}}", ca = "{{stranger.CaPath}}" }
            """).WithFallback(setup.Cluster.ConfigFor(3));
        var third = await ReplicaHost.StartAsync(foreign, () => new TreeStateMachine(ReplicaSettings.Create(foreign.WithFallback(ReplicaHost.ReferenceConfig)).StateMachine));
        setup.Cluster.Hosts[3] = third;

        await WriteAndCheckAsync(setup, extra: third.System);
        AssertRefusedAndOutside(setup, "does not chain to the cluster's CA");
    }

    /// <param name="throttled">With the fault harness's throttler above the transport, which shares the list of adapters with the probe.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_impostor_at_a_replicas_address_with_a_certificate_naming_another_replica_is_refused_and_the_healthy_replicas_serve_on(bool throttled)
    {
        await using var setup = await HealthyPairAsync(throttled);
        // The cluster's own CA, but CN=replica-2: whoever answers at replica 3's address is not replica 3.
        var (certificate, key) = setup.Authority.Issue("replica-2", "impostor");
        var impostor = StartImpostor(CertificateFiles.LoadIdentity(certificate, key, null), setup.Cluster.Endpoint(3));
        try
        {
            await WriteAndCheckAsync(setup, extra: impostor);
            AssertRefusedAndOutside(setup, "is not replica 3's certificate");
        }
        finally
        {
            await impostor.Terminate();
        }
    }

    [Fact]
    public async Task A_listener_at_a_replicas_address_that_closes_every_connection_mid_handshake_stops_no_replica()
    {
        await using var setup = await HealthyPairAsync();
        // Whatever took replica 3's port (another service, a replica going down) and hangs up before TLS completes.
        var port = int.Parse(setup.Cluster.Endpoint(3).Split(':')[1]);
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var hangUps = 0;
        var hangingUp = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var accepted = await listener.AcceptSocketAsync(stop.Token);
                Interlocked.Increment(ref hangUps);
            }
        });
        try
        {
            await WriteAndCheckAsync(setup, extra: null);
            Assert.True(Volatile.Read(ref hangUps) > 0, "no replica dialled replica 3's address");
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await hangingUp.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task A_client_that_refuses_a_servers_certificate_fails_to_connect_and_a_client_sharing_its_system_works_on()
    {
        await using var setup = await HealthyPairAsync();
        var (certificate, key) = setup.Authority.Issue("client", "impostor");
        var impostorEndpoint = $"127.0.0.1:{FreePorts.Take(1)[0]}";
        // A certificate of the cluster's CA that names no replica: a client must not take its holder for a server.
        var impostor = StartImpostor(CertificateFiles.LoadIdentity(certificate, key, null), impostorEndpoint);
        try
        {
            var tls = setup.ClientTls();
            await using var healthy = await CoordinatorClient.ConnectAsync(setup.ClientOptions(tls, setup.Servers)).WaitAsync(Bound);
            // Same TLS options, local host name and Akka configuration: the two clients share one ActorSystem.
            var misled = setup.ClientOptions(tls, [impostorEndpoint], connectTimeout: TimeSpan.FromSeconds(4));
            var refused = await Assert.ThrowsAsync<ConnectionLossException>(() => CoordinatorClient.ConnectAsync(misled).WaitAsync(Bound));
            output.WriteLine($"refused client: {refused.Message}");

            var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            var written = 0;
            while (DateTime.UtcNow < until)
            {
                await healthy.CreateAsync($"/shared-{written++}", [1]).WaitAsync(Bound);
            }
            Assert.Equal([1], (await healthy.GetDataAsync("/shared-0")).Data);
            Assert.False(impostor.WhenTerminated.IsCompleted);
        }
        finally
        {
            await impostor.Terminate();
        }
    }

    /// <summary>
    /// Writes for <see cref="WritingFor"/> through replicas 1 and 2, every write acknowledged, while neither they nor
    /// <paramref name="extra"/> (the refused party, when it is an ActorSystem) start shutting down.
    /// </summary>
    private async Task WriteAndCheckAsync(HealthyPair setup, ActorSystem? extra)
    {
        await using var client = await CoordinatorClient.ConnectAsync(setup.ClientOptions(setup.ClientTls(), setup.Servers)).WaitAsync(Bound);
        var clock = Stopwatch.StartNew();
        var written = 0;
        while (clock.Elapsed < WritingFor)
        {
            await client.CreateAsync($"/w-{written}", BitConverter.GetBytes(written)).WaitAsync(Bound);
            written++;
            foreach (var id in new[] { 1, 2 })
            {
                var system = setup.Cluster.Hosts[id]!.System;
                Assert.True(CoordinatedShutdown.Get(system).ShutdownReason is null, $"replica {id} is shutting down: {CoordinatedShutdown.Get(system).ShutdownReason}");
                Assert.False(system.WhenTerminated.IsCompleted, $"replica {id} stopped");
            }
            var refusedPartyStopping = extra is null ? null : CoordinatedShutdown.Get(extra).ShutdownReason;
            Assert.True(refusedPartyStopping is null, $"the refused party is shutting down: {refusedPartyStopping}");
        }
        output.WriteLine($"{written} writes acknowledged in {WritingFor.TotalSeconds:0} s");
        Assert.True(written > 20, $"only {written} writes in {WritingFor.TotalSeconds:0} s");
        Assert.Equal(BitConverter.GetBytes(written - 1), (await client.GetDataAsync($"/w-{written - 1}")).Data);
    }

    private static void AssertRefusedAndOutside(HealthyPair setup, string why)
    {
        Assert.Contains(setup.Warnings, warning => warning.Contains("TLS: refused the certificate", StringComparison.Ordinal) && warning.Contains(why, StringComparison.Ordinal));
        foreach (var id in new[] { 1, 2 })
        {
            var members = Akka.Cluster.Cluster.Get(setup.Cluster.Hosts[id]!.System).State.Members;
            Assert.DoesNotContain(members, member => member.Address.Port == int.Parse(setup.Cluster.Endpoint(3).Split(':')[1]));
        }
    }

    /// <summary>Replicas 1 and 2 of three, certificates of one CA, their warnings collected; replica 3 is not started.</summary>
    /// <param name="throttled">The fault harness's throttler on, for replicas and (as the harness does) clients.</param>
    private static async Task<HealthyPair> HealthyPairAsync(bool throttled = false)
    {
        var directory = new TempDirectory("tls-fail");
        var authority = new TestAuthority(directory.Path, "cluster-ca");
        foreach (var id in new[] { 1, 2, 3 })
        {
            authority.Issue($"replica-{id}");
        }
        var cluster = new InProcessCluster(3, dataTree: true, extraHocon: $$"""
            coordinator.tls {
              enabled = on
              certificate = "{{Path.Combine(directory.Path, "replica-{id}.crt")}}"
              private-key = "{{Path.Combine(directory.Path, "replica-{id}.key")}}"
              ca = "{{authority.CaPath}}"
            }
            coordinator.fault-injection { enabled = {{(throttled ? "on" : "off")}}, transport-blackhole = {{(throttled ? "on" : "off")}} }
            """);
        var warnings = new ConcurrentQueue<string>();
        foreach (var id in new[] { 1, 2 })
        {
            var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(cluster.ConfigFor(id));
            var host = await ReplicaHost.StartAsync(config, () => new TreeStateMachine(ReplicaSettings.Create(config.WithFallback(ReplicaHost.ReferenceConfig)).StateMachine));
            cluster.Hosts[id] = host;
            host.System.EventStream.Subscribe(host.System.ActorOf(Props.Create(() => new WarningCollector(warnings))), typeof(Warning));
        }
        var clientAkkaConfig = throttled ? $"akka.remote.dot-netty.tcp.applied-adapters = [\"{Akka.Remote.Transport.ThrottleTransportAdapter.Scheme}\"]" : "";
        return new HealthyPair(directory, authority, cluster, warnings, clientAkkaConfig);
    }

    /// <summary>An Akka.Remote system at <paramref name="endpoint"/> presenting <paramref name="certificate"/> and accepting any.</summary>
    private static ActorSystem StartImpostor(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string endpoint)
    {
        var (host, port) = (endpoint.Split(':')[0], endpoint.Split(':')[1]);
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "{{host}}", port = {{port}} }
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.coordinated-shutdown.exit-clr = off
            """).WithFallback(TransportTls.Hocon).WithFallback(ReplicaHost.ReferenceConfig);
        var anything = new DotNettySslSetup(certificate, false, true, false, (_, _, _, _, _) => true);
        return ActorSystem.Create(ReplicaSettings.SystemName, BootstrapSetup.Create().WithConfig(config).And(anything));
    }

    private sealed class HealthyPair(
        TempDirectory directory, TestAuthority authority, InProcessCluster cluster, ConcurrentQueue<string> warnings, string clientAkkaConfig) : IAsyncDisposable
    {
        public TestAuthority Authority => authority;

        public InProcessCluster Cluster => cluster;

        public IEnumerable<string> Warnings => warnings;

        public IReadOnlyList<string> Servers => [cluster.Endpoint(1), cluster.Endpoint(2)];

        public CoordinatorTlsOptions ClientTls()
        {
            var (certificate, key) = (Path.Combine(directory.Path, "client.crt"), Path.Combine(directory.Path, "client.key"));
            if (!File.Exists(certificate))
            {
                authority.Issue("client");
            }
            return new CoordinatorTlsOptions { CaCertificatePath = authority.CaPath, CertificatePath = certificate, PrivateKeyPath = key };
        }

        public CoordinatorClientOptions ClientOptions(CoordinatorTlsOptions tls, IReadOnlyList<string> servers, TimeSpan? connectTimeout = null) => new()
        {
            Servers = [.. servers],
            Tls = tls,
            AkkaConfig = clientAkkaConfig,
            SessionTimeout = TimeSpan.FromSeconds(6),
            RequestTimeout = TimeSpan.FromSeconds(2),
            ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(20),
        };

        public async ValueTask DisposeAsync()
        {
            await cluster.DisposeAsync();
            authority.Dispose();
            directory.Dispose();
        }
    }

    private sealed class WarningCollector : ReceiveActor
    {
        public WarningCollector(ConcurrentQueue<string> warnings) => Receive<Warning>(warning => warnings.Enqueue(warning.Message?.ToString() ?? ""));
    }
}
