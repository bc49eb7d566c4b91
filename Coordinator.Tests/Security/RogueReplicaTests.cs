using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Security;

/// <summary>
/// Issue 19: forged Paxos messages sent to a TLS cluster. A Prepare of round <see cref="ForgedRound"/> would, if
/// believed, make every replica promise a ballot no leader of theirs holds.
/// </summary>
[Trait("Category", "Security")]
[Collection(ReplicaCollection.Name)]
public sealed class RogueReplicaTests(ITestOutputHelper output)
{
    private const long ForgedRound = 1_000_000;

    [Fact]
    public async Task A_replica_with_a_certificate_from_another_CA_cannot_join_or_send_Paxos_messages()
    {
        await using var cluster = await TlsCluster.StartAsync();
        await using var client = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(cluster.WithClientCertificate()));
        await client.CreateAsync("/before", [1]);

        using var directory = new TempDirectory("rogue");
        using var rogueCa = new TestAuthority(directory.Path, "rogue-ca");
        var (certificate, key) = rogueCa.Issue("replica-2");
        var rogue = await StartRogueAsync(CertificateFiles.LoadIdentity(certificate, key, null), cluster, join: true);
        try
        {
            await ForgeAndCheckAsync(rogue, cluster);
            foreach (var id in cluster.Cluster.Ids)
            {
                var members = Akka.Cluster.Cluster.Get(cluster.Cluster.Hosts[id]!.System).State.Members;
                Assert.Equal(3, members.Count);
                Assert.DoesNotContain(members, member => member.Address.System != ReplicaSettings.SystemName);
            }
        }
        finally
        {
            await rogue.Terminate();
        }
        await client.CreateAsync("/after", [2]);
        Assert.Equal([1], (await client.GetDataAsync("/before")).Data);
    }

    [Fact]
    public async Task A_Paxos_message_from_a_holder_of_a_client_certificate_that_names_another_replica_is_ignored()
    {
        await using var cluster = await TlsCluster.StartAsync();
        var insider = CertificateFiles.LoadIdentity(cluster.ClientCertificate, cluster.ClientKey, null);
        var rogue = await StartRogueAsync(insider, cluster, join: false);
        try
        {
            await ForgeAndCheckAsync(rogue, cluster);
        }
        finally
        {
            await rogue.Terminate();
        }
        await using var client = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(cluster.WithClientCertificate()));
        await client.CreateAsync("/after", [2]);
    }

    /// <summary>Sends a Prepare claiming replica 2 to every replica, and checks for a while that none promised it.</summary>
    private async Task ForgeAndCheckAsync(ActorSystem rogue, TlsCluster cluster)
    {
        foreach (var id in cluster.Cluster.Ids)
        {
            rogue.ActorSelection($"{TransportTls.Protocol}://{ReplicaSettings.SystemName}@{cluster.Cluster.Endpoint(id)}/user/{ReplicaSettings.ReplicaActorName}")
                .Tell(new Prepare(2, new Ballot(ForgedRound, 2), 0));
        }
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < until)
        {
            foreach (var id in cluster.Cluster.Ids)
            {
                var status = await cluster.Cluster.Hosts[id]!.Replica.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(5));
                Assert.True(status.Promised.Round < ForgedRound, $"replica {id} promised the forged {status.Promised}");
            }
            await Task.Delay(200);
        }
        output.WriteLine($"rogue system terminated by its own transport: {rogue.WhenTerminated.IsCompleted}");
    }

    /// <summary>
    /// An Akka.Remote system that presents <paramref name="certificate"/>, accepts any server certificate (an attacker
    /// does not care whom it reaches), and with <paramref name="join"/> asks the replicas to let it into their cluster.
    /// </summary>
    private static async Task<ActorSystem> StartRogueAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, TlsCluster cluster, bool join)
    {
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.coordinated-shutdown.exit-clr = off
            """).WithFallback(TransportTls.Hocon).WithFallback(ReplicaHost.ReferenceConfig);
        var anything = new DotNettySslSetup(certificate, false, true, false, (_, _, _, _, _) => true);
        var system = ActorSystem.Create(ReplicaSettings.SystemName, BootstrapSetup.Create().WithConfig(config).And(anything));
        if (join)
        {
            Akka.Cluster.Cluster.Get(system).JoinSeedNodes(
                [.. cluster.Cluster.Ids.Select(id => Address.Parse($"{TransportTls.Protocol}://{ReplicaSettings.SystemName}@{cluster.Cluster.Endpoint(id)}"))]);
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        return system;
    }
}
