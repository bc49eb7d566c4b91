using System.Text;
using Akka.Actor;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Security;

/// <summary>Issue 19, TLS: clients of a TLS cluster, with and without the right certificates.</summary>
[Trait("Category", "Security")]
[Collection(ReplicaCollection.Name)]
public sealed class TransportTlsTests
{
    [Fact]
    public async Task A_plaintext_client_is_refused_by_a_TLS_cluster()
    {
        await using var cluster = await TlsCluster.StartAsync();
        var plain = cluster.ClientOptions(tls: null, connectTimeout: TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<ConnectionLossException>(() => CoordinatorClient.ConnectAsync(plain));
        var reports = await ClusterStatus.QueryAsync(plain, TimeSpan.FromSeconds(2));
        Assert.All(reports, report => Assert.False(report.Reachable, $"{report.Server} answered a plaintext status query"));
    }

    [Fact]
    public async Task A_TLS_client_with_the_clusters_CA_and_certificates_from_the_dev_script_connects_and_writes()
    {
        await using var cluster = await TlsCluster.StartAsync(script: true);
        await using (var client = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(cluster.WithClientCertificate())))
        {
            await client.CreateAsync("/secure", Encoding.UTF8.GetBytes("hello"));
            Assert.Equal("hello", Encoding.UTF8.GetString((await client.GetDataAsync("/secure")).Data));
        }

        // The same client certificate as the script's PKCS#12 file.
        var pfx = new CoordinatorTlsOptions
        {
            CaCertificatePath = cluster.CaPath,
            CertificatePath = Path.Combine(cluster.CertificateDirectory, "client.pfx"),
            Password = "dev",
        };
        await using var fromPfx = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(pfx));
        Assert.Equal("hello", Encoding.UTF8.GetString((await fromPfx.GetDataAsync("/secure")).Data));

        var reports = await ClusterStatus.QueryAsync(cluster.ClientOptions(pfx), TimeSpan.FromSeconds(5));
        Assert.All(reports, report => Assert.True(report.Reachable, report.Error));
        Assert.Single(reports.Select(report => report.ClusterId).Distinct());
        Assert.Equal(cluster.Cluster.Hosts[1]!.ClusterId, reports[0].ClusterId);
    }

    [Fact]
    public async Task Without_a_client_certificate_or_with_another_CA_a_client_is_refused_and_the_cluster_serves_on()
    {
        await using var cluster = await TlsCluster.StartAsync();
        var caOnly = new CoordinatorTlsOptions { CaCertificatePath = cluster.CaPath };
        await Assert.ThrowsAsync<ConnectionLossException>(() => CoordinatorClient.ConnectAsync(cluster.ClientOptions(caOnly, TimeSpan.FromSeconds(4))));

        using var strangers = new TempDirectory("stranger-ca");
        using var stranger = new TestAuthority(strangers.Path, "stranger-ca");
        var (certificate, key) = stranger.Issue("client");
        var foreign = new CoordinatorTlsOptions { CaCertificatePath = stranger.CaPath, CertificatePath = certificate, PrivateKeyPath = key };
        await Assert.ThrowsAsync<ConnectionLossException>(() => CoordinatorClient.ConnectAsync(cluster.ClientOptions(foreign, TimeSpan.FromSeconds(4))));

        // A client that trusts the cluster's CA but presents a certificate another CA issued.
        var mixed = new CoordinatorTlsOptions { CaCertificatePath = cluster.CaPath, CertificatePath = certificate, PrivateKeyPath = key };
        await Assert.ThrowsAsync<ConnectionLossException>(() => CoordinatorClient.ConnectAsync(cluster.ClientOptions(mixed, TimeSpan.FromSeconds(4))));

        await using var client = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(cluster.WithClientCertificate()));
        await client.CreateAsync("/still-serving", [1]);
    }

    [Fact]
    public async Task A_cluster_that_does_not_require_client_certificates_takes_a_client_with_only_the_CA()
    {
        await using var cluster = await TlsCluster.StartAsync(requireClientCertificates: false);
        await using var client = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(new CoordinatorTlsOptions { CaCertificatePath = cluster.CaPath }));
        await client.CreateAsync("/ca-only", [7]);
        Assert.Equal([7], (await client.GetDataAsync("/ca-only")).Data);
    }

    [Fact]
    public async Task A_server_certificate_that_names_no_replica_is_refused_by_the_client()
    {
        // A client's certificate of the right CA, used to pose as a server: the client must not take it for a replica.
        using var directory = new TempDirectory("impostor");
        using var authority = new TestAuthority(directory.Path, "cluster-ca");
        var (certificate, key) = authority.Issue("client");
        var validation = new PeerValidation(CertificateFiles.LoadAuthorities(authority.CaPath), new Dictionary<string, int>(), isReplica: false, verifyHostname: true);
        using var impostor = CertificateFiles.LoadIdentity(certificate, key, null);
        using var replica = CertificateFiles.LoadIdentity(authority.Issue("replica-3").Certificate, Path.Combine(directory.Path, "replica-3.key"), null);
        const string dialled = "akka.ssl.tcp://coordinator@127.0.0.1:4001";
        Assert.Contains("names no replica", validation.Check(impostor, null, dialled, System.Net.Security.SslPolicyErrors.None));
        Assert.Null(validation.Check(replica, null, dialled, System.Net.Security.SslPolicyErrors.None));
        Assert.Contains("does not name the host", validation.Check(replica, null, dialled, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch));
    }
}
