using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coordinator.Tests.Security;

/// <summary>A throwaway CA made with <see cref="CertificateRequest"/>, writing PEM files as the dev script does.</summary>
internal sealed class TestAuthority : IDisposable
{
    private readonly X509Certificate2 _certificate;

    public TestAuthority(string directory, string name)
    {
        Directory = directory;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        CaPath = Path.Combine(directory, $"{name}.crt");
        File.WriteAllText(CaPath, _certificate.ExportCertificatePem());
    }

    public string Directory { get; }

    public string CaPath { get; }

    /// <summary>Writes NAME.crt and NAME.key (PEM) for CN=<paramref name="commonName"/>, SAN 127.0.0.1 and localhost.</summary>
    public (string Certificate, string Key) Issue(string commonName, string? fileName = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(_certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        var baseName = Path.Combine(Directory, fileName ?? commonName);
        File.WriteAllText($"{baseName}.crt", issued.ExportCertificatePem());
        File.WriteAllText($"{baseName}.key", key.ExportPkcs8PrivateKeyPem());
        return ($"{baseName}.crt", $"{baseName}.key");
    }

    public void Dispose() => _certificate.Dispose();
}
