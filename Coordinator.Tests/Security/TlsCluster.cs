using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;

namespace Coordinator.Tests.Security;

/// <summary>
/// Three real replicas (data tree, gateways) in this process with <c>coordinator.tls</c> on, each with its own
/// CN=replica-N certificate from the cluster's CA, and the client certificate of that CA.
/// </summary>
internal sealed class TlsCluster : IAsyncDisposable
{
    private readonly TempDirectory _certificates;

    private TlsCluster(TempDirectory certificates, InProcessCluster cluster, string caPath, string clientCertificate, string clientKey)
    {
        _certificates = certificates;
        Cluster = cluster;
        CaPath = caPath;
        ClientCertificate = clientCertificate;
        ClientKey = clientKey;
    }

    public InProcessCluster Cluster { get; }

    public string CaPath { get; }

    public string ClientCertificate { get; }

    public string ClientKey { get; }

    public string CertificateDirectory => _certificates.Path;

    public IReadOnlyList<string> Servers => [.. Cluster.Ids.Select(Cluster.Endpoint)];

    /// <param name="script">Certificates from config/make-dev-certs.sh (openssl) rather than from CertificateRequest.</param>
    /// <param name="extraHocon">Appended to every replica's configuration (e.g. <c>coordinator.security</c>).</param>
    public static async Task<TlsCluster> StartAsync(bool script = false, bool requireClientCertificates = true, string extraHocon = "")
    {
        var directory = new TempDirectory("tls");
        string ca, clientCertificate, clientKey;
        if (script)
        {
            await DevCertificates.MakeAsync(directory.Path);
            (ca, clientCertificate, clientKey) = (Path.Combine(directory.Path, "ca.crt"), Path.Combine(directory.Path, "client.crt"), Path.Combine(directory.Path, "client.key"));
        }
        else
        {
            using var authority = new TestAuthority(directory.Path, "cluster-ca");
            foreach (var id in new[] { 1, 2, 3 })
            {
                authority.Issue($"replica-{id}");
            }
            (clientCertificate, clientKey) = authority.Issue("client");
            authority.Issue("other-client");
            ca = authority.CaPath;
        }
        // One file for all three: "{id}" in the paths stands for each replica's own id.
        var cluster = new InProcessCluster(3, dataTree: true, extraHocon: $$"""
            coordinator.tls {
              enabled = on
              certificate = "{{Path.Combine(directory.Path, "replica-{id}.crt")}}"
              private-key = "{{Path.Combine(directory.Path, "replica-{id}.key")}}"
              ca = "{{ca}}"
              require-client-certificates = {{(requireClientCertificates ? "on" : "off")}}
            }
            {{extraHocon}}
            """);
        await cluster.StartAllAsync();
        return new TlsCluster(directory, cluster, ca, clientCertificate, clientKey);
    }

    public CoordinatorClientOptions ClientOptions(CoordinatorTlsOptions? tls, TimeSpan? connectTimeout = null) => new()
    {
        Servers = [.. Servers],
        Tls = tls,
        SessionTimeout = TimeSpan.FromSeconds(6),
        RequestTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(20),
    };

    /// <summary>CN=other-client of the cluster's CA (certificates made with CertificateRequest only).</summary>
    public CoordinatorTlsOptions WithOtherClientCertificate() => new()
    {
        CaCertificatePath = CaPath,
        CertificatePath = Path.Combine(CertificateDirectory, "other-client.crt"),
        PrivateKeyPath = Path.Combine(CertificateDirectory, "other-client.key"),
    };

    public CoordinatorTlsOptions WithClientCertificate() => new() { CaCertificatePath = CaPath, CertificatePath = ClientCertificate, PrivateKeyPath = ClientKey };

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _certificates.Dispose();
    }
}
