using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Coordinator.Client;

/// <summary>Certificates read from PEM or PFX files, with errors that name the file.</summary>
internal static class CertificateFiles
{
    /// <summary>A certificate with its private key: a .pfx/.p12 file, or a PEM certificate with its PEM key.</summary>
    /// <exception cref="ArgumentException">A file is missing or unreadable, or the certificate has no private key.</exception>
    public static X509Certificate2 LoadIdentity(string certificatePath, string? privateKeyPath, string? password)
    {
        Exists(certificatePath, "certificate");
        try
        {
            X509Certificate2 loaded;
            if (IsPkcs12(certificatePath))
            {
                loaded = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password, X509KeyStorageFlags.Exportable);
            }
            else
            {
                if (string.IsNullOrEmpty(privateKeyPath))
                {
                    throw new ArgumentException($"certificate {certificatePath} is PEM: its private key file is required too");
                }
                Exists(privateKeyPath, "private key");
                using var pem = string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(certificatePath, privateKeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, privateKeyPath);
                // A PEM key is ephemeral; TLS servers on some platforms need one held as a PKCS#12 key is.
                loaded = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
            }
            if (!loaded.HasPrivateKey)
            {
                loaded.Dispose();
                throw new ArgumentException($"certificate {certificatePath} has no private key");
            }
            return loaded;
        }
        catch (CryptographicException unreadable)
        {
            throw new ArgumentException($"certificate {certificatePath} could not be read: {unreadable.Message}", unreadable);
        }
    }

    /// <summary>Every certificate of a PEM file (a CA, or a bundle of CAs).</summary>
    /// <exception cref="ArgumentException">The file is missing or holds no certificate.</exception>
    public static X509Certificate2Collection LoadAuthorities(string path)
    {
        Exists(path, "CA certificate");
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (CryptographicException unreadable)
        {
            throw new ArgumentException($"CA certificate {path} could not be read: {unreadable.Message}", unreadable);
        }
        return authorities.Count > 0 ? authorities : throw new ArgumentException($"CA certificate {path} holds no PEM certificate");
    }

    /// <summary>
    /// A self-signed certificate for the listening side of a client that has none of its own: Akka.Remote's TLS
    /// transport always listens, and replicas accept whatever a client's listener presents (see PeerValidation).
    /// </summary>
    public static X509Certificate2 Ephemeral(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);

    private static void Exists(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{what} file {path} not found");
        }
    }
}
