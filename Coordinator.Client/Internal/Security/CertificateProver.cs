using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The client's side of a session created by proof of its certificate: for each attempt, a fresh nonce and the time,
/// signed with the certificate's key together with the request and the server it goes to
/// (<see cref="CertifiedSessionProof"/>). Used when the options carry a client certificate and no credentials.
/// </summary>
internal sealed class CertificateProver(X509Certificate2 certificate, IReadOnlyList<string> servers)
{
    public Transaction Prove(int server, long sessionId, int timeoutMs, long secret)
    {
        var nonce = RandomNumberGenerator.GetBytes(CertifiedSessionProof.NonceBytes);
        var issuedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var gateway = servers[server];
        var signed = CertifiedSessionProof.SignedBytes(sessionId, timeoutMs, secret, gateway, issuedAt, nonce);
        return new CreateCertifiedSession(timeoutMs, secret, certificate.RawData, gateway, issuedAt, nonce, Sign(signed));
    }

    private byte[] Sign(byte[] signed)
    {
        using var ecdsa = certificate.GetECDsaPrivateKey();
        if (ecdsa is not null)
        {
            return ecdsa.SignData(signed, HashAlgorithmName.SHA256);
        }
        using var rsa = certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException($"certificate '{certificate.Subject}' has neither an ECDSA nor an RSA private key");
        return rsa.SignData(signed, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
    }
}
