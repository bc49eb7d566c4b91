using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Service.Gateway;

/// <summary>
/// The crypto of a certificate proof, and nothing else (what it means is <see cref="CertificateLogins"/>'s): parse the
/// DER certificate, build its chain against the cluster's CA, verify the signature over the request with its public
/// key (ECDSA or RSA, SHA-256).
/// </summary>
internal static class CertificateProofCheck
{
    public static CertificateLogins.Evidence Examine(long sessionId, CreateCertifiedSession proof, X509Certificate2Collection? authorities)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(proof.Certificate);
        }
        catch (CryptographicException)
        {
            return new CertificateLogins.Evidence(proof.Gateway, proof.IssuedAtMs, proof.Nonce, null, null, false);
        }
        using (certificate)
        {
            var subject = certificate.Subject;
            var chainError = authorities is null
                ? "this cluster has no CA configured (coordinator.tls.ca)"
                : PeerValidation.ChainErrorOf(authorities, certificate, null);
            var signed = CertifiedSessionProof.SignedBytes(sessionId, proof.TimeoutMs, proof.Secret, proof.Gateway, proof.IssuedAtMs, proof.Nonce);
            return new CertificateLogins.Evidence(proof.Gateway, proof.IssuedAtMs, proof.Nonce, subject, chainError, Verify(certificate, signed, proof.Signature));
        }
    }

    private static bool Verify(X509Certificate2 certificate, byte[] signed, byte[] signature)
    {
        try
        {
            using var ecdsa = certificate.GetECDsaPublicKey();
            if (ecdsa is not null)
            {
                return ecdsa.VerifyData(signed, signature, HashAlgorithmName.SHA256);
            }
            using var rsa = certificate.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
