using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>What <see cref="ClientSessionCore"/> needs of the options, in the core's unit: milliseconds.</summary>
internal sealed record ClientSessionSettings(int Servers, long SessionTimeoutMs, long RequestTimeoutMs, long ConnectTimeoutMs, int MaxRequestBytes)
{
    /// <summary>Who the session logs in as; null for an anonymous session.</summary>
    public CoordinatorCredentials? Credentials { get; init; }

    /// <summary>
    /// Without credentials, a client certificate's proof for a session create to a server (by its index): the session
    /// is then the certificate's subject. Null for a client without a certificate, or with credentials.
    /// </summary>
    public Func<int, long, int, long, Transaction>? ProveCertificate { get; init; }

    public static ClientSessionSettings From(CoordinatorClientOptions options) => new(
        options.Servers.Count,
        (long)options.SessionTimeout.TotalMilliseconds,
        (long)options.RequestTimeout.TotalMilliseconds,
        (long)options.ConnectTimeout.TotalMilliseconds,
        options.MaxRequestBytes)
    {
        Credentials = options.Credentials,
        ProveCertificate = options is { Credentials: null, Tls: { CertificatePath: { } certificate } tls }
            ? new CertificateProver(CertificateFiles.LoadIdentity(certificate, tls.PrivateKeyPath, tls.Password), [.. options.Servers]).Prove
            : null,
    };

    public TimeSpan RequestTimeout => TimeSpan.FromMilliseconds(RequestTimeoutMs);

    public TimeSpan ConnectTimeout => TimeSpan.FromMilliseconds(ConnectTimeoutMs);
}
