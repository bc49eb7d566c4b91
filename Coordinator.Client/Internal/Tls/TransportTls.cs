using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace Coordinator.Client;

/// <summary>
/// Akka.Remote's DotNetty TLS, set up from code: the HOCON switch and a <see cref="DotNettySslSetup"/> holding the
/// certificate and <see cref="PeerValidation"/>. With TLS on, the transport's protocol is <see cref="Protocol"/>, and
/// every party of a cluster must use it.
/// </summary>
internal static class TransportTls
{
    public const string Protocol = "akka.ssl.tcp";

    public static Config Hocon { get; } = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = true");

    /// <param name="mutual">Present the own certificate when dialling, and demand one from every inbound connection.</param>
    public static DotNettySslSetup Setup(X509Certificate2 certificate, bool mutual, PeerValidation validation) =>
        new(certificate, suppressValidation: false, requireMutualAuthentication: mutual, validateCertificateHostname: false, validation.Callback());

    /// <summary>The client's side: its certificate if it has one (then it is presented), otherwise a throwaway one to listen with.</summary>
    public static DotNettySslSetup ForClient(CoordinatorTlsOptions options)
    {
        var authorities = CertificateFiles.LoadAuthorities(options.CaCertificatePath);
        var own = options.CertificatePath is { Length: > 0 } path
            ? CertificateFiles.LoadIdentity(path, options.PrivateKeyPath, options.Password)
            : null;
        var validation = new PeerValidation(authorities, new Dictionary<string, int>(), isReplica: false, options.VerifyHostname);
        return Setup(own ?? CertificateFiles.Ephemeral("CN=coordinator-client"), mutual: own is not null, validation);
    }
}
