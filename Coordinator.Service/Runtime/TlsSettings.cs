using System.Collections.Immutable;
using Akka.Actor.Setup;
using Akka.Configuration;
using Coordinator.Client;

namespace Coordinator.Service.Runtime;

/// <summary>
/// <c>coordinator.tls</c>: Akka.Remote's TLS for every connection of a replica, to its peers and from clients. The
/// replica presents <see cref="CertificatePath"/>, trusts only certificates issued by <see cref="CaPath"/>, and
/// accepts a peer it dials only when the certificate names that peer's replica id (see <see cref="PeerValidation"/>).
/// </summary>
internal sealed record TlsSettings(
    bool Enabled, string CertificatePath, string PrivateKeyPath, string Password, string CaPath, bool RequireClientCertificates, bool VerifyHostname)
{
    public const string Path = "coordinator.tls";

    public static TlsSettings Create(Config? section)
    {
        var tls = new HoconSection(section, Path);
        var settings = new TlsSettings(
            Bool(tls, "enabled"),
            tls.String("certificate"),
            tls.String("private-key"),
            tls.String("password"),
            tls.String("ca"),
            Bool(tls, "require-client-certificates"),
            Bool(tls, "verify-hostname"));
        if (settings.Enabled && (settings.CertificatePath.Length == 0 || settings.CaPath.Length == 0))
        {
            throw new ConfigurationException($"{Path}.enabled = on needs {Path}.certificate and {Path}.ca.");
        }
        return settings;
    }

    /// <summary>The transport's protocol with TLS on, wrapped by the throttler's scheme when the fault harness adds it.</summary>
    public static string ProtocolOf(bool tls, bool throttled) => (tls, throttled) switch
    {
        (false, false) => ReplicaSettings.TcpProtocol,
        (false, true) => FaultInjection.TransportBlackhole.Protocol,
        (true, false) => TransportTls.Protocol,
        (true, true) => "akka.trttl.ssl.tcp",
    };

    /// <summary>
    /// Reads the certificate files and builds the transport's setup. <c>{id}</c> in a path stands for the replica's
    /// id, so one file can configure every replica of a machine or of <c>--dev</c>.
    /// </summary>
    /// <exception cref="ConfigurationException">A file is missing, unreadable, or the certificate is not this replica's.</exception>
    public Setup TransportSetup(int replicaId, ImmutableSortedDictionary<int, string> replicas)
    {
        try
        {
            var certificatePath = ForReplica(CertificatePath, replicaId);
            var certificate = CertificateFiles.LoadIdentity(certificatePath, ForReplica(PrivateKeyPath, replicaId), Password.Length > 0 ? Password : null);
            if (PeerValidation.ReplicaIdOf(certificate) != replicaId)
            {
                throw new ConfigurationException(
                    $"{Path}.certificate {certificatePath} names '{certificate.Subject}', not this replica (CN={PeerValidation.ReplicaNamePrefix}{replicaId}).");
            }
            var validation = new PeerValidation(
                CertificateFiles.LoadAuthorities(CaPath), replicas.ToDictionary(entry => entry.Value, entry => entry.Key), isReplica: true, VerifyHostname);
            return TransportTls.Setup(certificate, RequireClientCertificates, validation);
        }
        catch (ArgumentException unreadable)
        {
            throw new ConfigurationException($"{Path}: {unreadable.Message}", unreadable);
        }
    }

    private static string ForReplica(string path, int replicaId) =>
        path.Replace("{id}", replicaId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static bool Bool(HoconSection tls, string key) => tls.String(key).ToLowerInvariant() switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        var other => throw tls.Invalid(key, $"is '{other}', not on or off"),
    };
}
