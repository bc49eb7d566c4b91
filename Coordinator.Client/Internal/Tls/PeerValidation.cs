using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Coordinator.Client;

/// <summary>
/// What a TLS handshake accepts, for a replica or a client. Akka.Remote's DotNetty transport calls the callback with
/// the peer's certificate and a peer string: the Akka address dialled for an outbound connection, the socket's
/// "ip:port" for an inbound one. So only an outbound connection knows whom it meant to reach.
/// <list type="bullet">
/// <item>Every accepted certificate chains to one of the cluster's CAs (<see cref="X509ChainTrustMode.CustomRootTrust"/>:
/// the machine's trust store plays no part).</item>
/// <item>A replica dialling a configured replica's address accepts only the certificate that names that replica's id
/// (<c>CN=replica-N</c>); a client dialling a server accepts only a certificate that names some replica.</item>
/// <item>A replica dialling anything else, which is a client's listener (replies sent after the client's own connection
/// dropped), accepts any certificate: a client without a certificate of its own listens with a throwaway self-signed
/// one (see <see cref="CertificateFiles.Ephemeral"/>), so there is nothing to check it against. Such replies are
/// encrypted but reach whoever listens there. (A refusal would no longer stop the replica: see
/// <see cref="HandshakeProbeTransport"/>.)</item>
/// <item>An inbound connection is accepted from any holder of a certificate of the cluster's CA: the transport does not
/// tell which Akka address the peer will claim, so the binding of a Paxos sender to its certificate stops here.</item>
/// </list>
/// </summary>
internal sealed class PeerValidation(
    X509Certificate2Collection authorities, IReadOnlyDictionary<string, int> replicaEndpoints, bool isReplica, bool verifyHostname)
{
    public const string ReplicaNamePrefix = "replica-";

    public CertificateValidationCallback Callback() => (certificate, chain, peer, errors, log) =>
    {
        var refusal = Check(certificate, chain, peer, errors);
        if (refusal is not null)
        {
            log.Warning("TLS: refused the certificate of {0}: {1}", peer, refusal);
        }
        return refusal is null;
    };

    /// <returns>Null to accept, otherwise why the certificate is refused.</returns>
    public string? Check(X509Certificate2? certificate, X509Chain? presented, string peer, SslPolicyErrors errors)
    {
        var dialled = Dialled(peer);
        int? replicaId = dialled is not null && replicaEndpoints.TryGetValue(dialled, out var id) ? id : null;
        if (isReplica && dialled is not null && replicaId is null)
        {
            return null;
        }
        if (certificate is null)
        {
            return "no certificate";
        }
        if (ChainError(certificate, presented) is { } chainError)
        {
            return $"'{certificate.Subject}' does not chain to the cluster's CA ({chainError})";
        }
        if (dialled is null)
        {
            return null;
        }
        if (verifyHostname && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return $"'{certificate.Subject}' does not name the host {dialled} was dialled at";
        }
        var named = ReplicaIdOf(certificate);
        if (replicaId is { } expected && named != expected)
        {
            return $"'{certificate.Subject}' is not replica {expected}'s certificate (CN={ReplicaNamePrefix}{expected} expected)";
        }
        return named is null ? $"'{certificate.Subject}' names no replica (CN={ReplicaNamePrefix}N expected)" : null;
    }

    /// <summary>The replica id a certificate's common name gives (<c>CN=replica-N</c>), if any.</summary>
    public static int? ReplicaIdOf(X509Certificate2 certificate)
    {
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return name.StartsWith(ReplicaNamePrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(ReplicaNamePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && id > 0
                ? id
                : null;
    }

    /// <summary>"host:port" of the Akka address an outbound connection dialled; null for an inbound connection.</summary>
    private static string? Dialled(string peer)
    {
        if (!peer.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var address = Address.Parse(peer);
            return $"{address.Host}:{address.Port}";
        }
        catch (UriFormatException)
        {
            return peer;
        }
    }

    private string? ChainError(X509Certificate2 certificate, X509Chain? presented) => ChainErrorOf(authorities, certificate, presented);

    /// <summary>
    /// Why <paramref name="certificate"/> does not chain to one of <paramref name="authorities"/> (the machine's trust
    /// store plays no part); null when it does. A gateway checks a session's certificate proof with it too.
    /// </summary>
    public static string? ChainErrorOf(X509Certificate2Collection authorities, X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements.Skip(1))
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }
        if (chain.Build(certificate))
        {
            return null;
        }
        var statuses = chain.ChainStatus.Select(status => status.Status.ToString()).Distinct();
        return string.Join(", ", statuses);
    }
}
