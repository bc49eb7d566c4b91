namespace Coordinator.Client;

/// <summary>
/// TLS to a cluster whose replicas run with <c>coordinator.tls.enabled = on</c>. The client trusts only certificates
/// issued by <see cref="CaCertificatePath"/>, and a server only when its certificate names a replica
/// (<c>CN=replica-N</c>) and, with <see cref="VerifyHostname"/>, the host it was dialled at.
/// </summary>
public sealed record CoordinatorTlsOptions
{
    /// <summary>The cluster's CA certificate (PEM). Certificates that do not chain to it are refused.</summary>
    public required string CaCertificatePath { get; init; }

    /// <summary>
    /// The client's own certificate, PEM (with <see cref="PrivateKeyPath"/>) or PFX/PKCS#12 (.pfx, .p12). Required by
    /// clusters that run with <c>coordinator.tls.require-client-certificates = on</c>, the default.
    /// </summary>
    public string? CertificatePath { get; init; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>, when that is a PEM file.</summary>
    public string? PrivateKeyPath { get; init; }

    /// <summary>The password of a PFX file or of an encrypted PEM key.</summary>
    public string? Password { get; init; }

    /// <summary>The server's certificate must also name the host (DNS name or IP address) it was reached at.</summary>
    public bool VerifyHostname { get; init; } = true;
}
