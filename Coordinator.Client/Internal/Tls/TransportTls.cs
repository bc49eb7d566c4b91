using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;

namespace Coordinator.Client;

/// <summary>
/// Akka.Remote's DotNetty TLS, set up from code: the HOCON switch and a <see cref="DotNettySslSetup"/> holding the
/// certificate and <see cref="PeerValidation"/>. With TLS on, the transport's protocol is <see cref="Protocol"/>, and
/// every party of a cluster must use it. <see cref="HandshakeProbeAdapter"/> sits directly above the transport, so a
/// failed outbound handshake fails that association instead of stopping the ActorSystem.
/// </summary>
internal static class TransportTls
{
    public const string Protocol = "akka.ssl.tcp";

    /// <summary>
    /// TLS on, the probe registered and the only adapter; a configuration that applies adapters of its own goes through
    /// <see cref="Over"/>. No space after the comma of the type name: Akka reads a value holding a space back with its quotes.
    /// </summary>
    public static Config Hocon { get; } = ConfigurationFactory.ParseString($$"""
        akka.remote.adapters.{{HandshakeProbeAdapter.Name}} = "{{typeof(HandshakeProbeAdapter).FullName}},{{typeof(HandshakeProbeAdapter).Assembly.GetName().Name}}"
        akka.remote.dot-netty.tcp.enable-ssl = true
        """).WithFallback(WithAdaptersAbove([]));

    /// <summary>
    /// <paramref name="config"/> with TLS on: the adapters it applies (the fault harness's throttler) stay above, and the
    /// handshake probe goes last, directly above the transport. HOCON replaces a list rather than merging it, so a plain
    /// fallback would drop one or the other.
    /// </summary>
    public static Config Over(Config config)
    {
        var applied = config.HasPath(AppliedAdapters) ? config.GetStringList(AppliedAdapters) : [];
        return WithAdaptersAbove([.. applied.Where(name => name != HandshakeProbeAdapter.Name)]).WithFallback(Hocon).WithFallback(config);
    }

    private const string AppliedAdapters = "akka.remote.dot-netty.tcp.applied-adapters";

    private static Config WithAdaptersAbove(IReadOnlyList<string> above) => ConfigurationFactory.ParseString(
        $"{AppliedAdapters} = [{string.Join(", ", above.Append(HandshakeProbeAdapter.Name).Select(name => $"\"{name}\""))}]");

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
