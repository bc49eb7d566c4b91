using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Gateway;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Security;

/// <summary>
/// Sessions created by proof of a client certificate (issue 19): the client signs the request, the gateway it goes to,
/// the time and a fresh nonce with the certificate's key; the gateway checks the chain against the cluster's CA and the
/// signature, refuses a proof for another gateway, too old or already used, and the session's principal is
/// <c>x509:SUBJECT</c>, which <c>x509:subject</c> ACL entries match.
/// </summary>
[Trait("Category", "Security")]
public sealed class CertificateSessionTests
{
    private const string Gateway = "127.0.0.1:4001";
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public async Task A_certificate_session_reads_its_x509_node_and_other_subjects_and_cas_are_refused()
    {
        // Client certificates optional at the transport, so another CA's certificate reaches the session check.
        await using var cluster = await TlsCluster.StartAsync(requireClientCertificates: false, extraHocon: "coordinator.security.allow-anonymous = off");
        await using var holder = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(cluster.WithClientCertificate()));
        await holder.CreateWithAclAsync("/x509-only", "secret"u8.ToArray(), [new AclEntry("x509", "CN=client", Permissions.All)]);
        await holder.CreateWithAclAsync("/mine", [], [AclEntry.CreatorAll]);

        Assert.Equal("secret"u8.ToArray(), (await holder.GetDataAsync("/x509-only")).Data);
        Assert.Equal([new AclEntry("x509", "CN=client", Permissions.All)], (await holder.GetAclAsync("/mine")).Acl);

        await using var other = await CoordinatorClient.ConnectAsync(cluster.ClientOptions(cluster.WithOtherClientCertificate()));
        await Assert.ThrowsAsync<NoAuthException>(() => other.GetDataAsync("/x509-only"));
        await Assert.ThrowsAsync<NoAuthException>(() => other.SetDataAsync("/x509-only", "changed"u8.ToArray()));
        Assert.Equal("secret"u8.ToArray(), (await holder.GetDataAsync("/x509-only")).Data);

        using var foreignDirectory = new TempDirectory("foreign-ca");
        using var foreign = new TestAuthority(foreignDirectory.Path, "foreign-ca");
        var (foreignCertificate, foreignKey) = foreign.Issue("client");
        var impostor = new CoordinatorTlsOptions { CaCertificatePath = cluster.CaPath, CertificatePath = foreignCertificate, PrivateKeyPath = foreignKey };
        await Assert.ThrowsAsync<AuthFailedException>(() => CoordinatorClient.ConnectAsync(cluster.ClientOptions(impostor)));

        // Without a certificate the session would be anonymous, which this cluster refuses.
        var anonymous = new CoordinatorTlsOptions { CaCertificatePath = cluster.CaPath };
        await Assert.ThrowsAsync<AuthFailedException>(() => CoordinatorClient.ConnectAsync(cluster.ClientOptions(anonymous)));
    }

    [Fact]
    public void A_proof_checked_with_real_keys_is_taken_once_and_its_replay_refused()
    {
        using var directory = new TempDirectory("proof");
        using var authority = new TestAuthority(directory.Path, "cluster-ca");
        var (certificatePath, keyPath) = authority.Issue("client");
        using var certificate = CertificateFiles.LoadIdentity(certificatePath, keyPath, null);
        var authorities = CertificateFiles.LoadAuthorities(authority.CaPath);
        var proof = (CreateCertifiedSession)new CertificateProver(certificate, [Gateway]).Prove(0, 42, 6000, 7);
        var logins = Logins();

        var evidence = CertificateProofCheck.Examine(42, proof, authorities);
        Assert.Equal(new CertificateLogins.Decision("x509:CN=client", null), logins.Decide(evidence, Now));
        var replay = logins.Decide(CertificateProofCheck.Examine(42, proof, authorities), Now + 1000);
        Assert.Null(replay.Principal);
        Assert.Contains("already used", replay.Refusal);

        // The signature binds the request: the same proof for another session id or secret does not verify.
        Assert.False(CertificateProofCheck.Examine(43, proof, authorities).SignatureValid);
        Assert.False(CertificateProofCheck.Examine(42, proof with { Secret = 8 }, authorities).SignatureValid);
        Assert.False(CertificateProofCheck.Examine(42, proof with { Gateway = "127.0.0.1:4002" }, authorities).SignatureValid);
        Assert.NotNull(CertificateProofCheck.Examine(42, proof, CertificateFiles.LoadAuthorities(Foreign(directory.Path))).ChainError);
        Assert.NotNull(CertificateProofCheck.Examine(42, proof, null).ChainError);
    }

    [Fact]
    public void A_proof_is_refused_for_its_chain_signature_gateway_age_or_nonce()
    {
        var good = new CertificateLogins.Evidence(Gateway, Now, Nonce(1), "CN=client", null, true);
        Assert.Contains("does not chain", Logins().Decide(good with { ChainError = "UntrustedRoot" }, Now).Refusal);
        Assert.Contains("could not be read", Logins().Decide(good with { Subject = null }, Now).Refusal);
        Assert.Contains("subject", Logins().Decide(good with { Subject = "" }, Now).Refusal);
        Assert.Contains("signature", Logins().Decide(good with { SignatureValid = false }, Now).Refusal);
        Assert.Contains("made for gateway", Logins().Decide(good with { Gateway = "127.0.0.1:4002" }, Now).Refusal);
        Assert.Contains("apart", Logins().Decide(good, Now + (long)TimeSpan.FromMinutes(6).TotalMilliseconds).Refusal);
        Assert.Contains("apart", Logins().Decide(good, Now - (long)TimeSpan.FromMinutes(6).TotalMilliseconds).Refusal);
        Assert.Contains("too short", Logins().Decide(good with { Nonce = new byte[8] }, Now).Refusal);
        Assert.Equal("x509:CN=client", Logins().Decide(good, Now + (long)TimeSpan.FromMinutes(4).TotalMilliseconds).Principal);
    }

    [Fact]
    public void Nonces_are_forgotten_only_once_their_proofs_are_too_old_and_a_full_table_refuses_rather_than_forgets()
    {
        var logins = new CertificateLogins(Gateway, TimeSpan.FromMinutes(5), maxRemembered: 2);
        var first = new CertificateLogins.Evidence(Gateway, Now, Nonce(1), "CN=client", null, true);
        Assert.NotNull(logins.Decide(first, Now).Principal);
        Assert.NotNull(logins.Decide(first with { Nonce = Nonce(2) }, Now).Principal);
        Assert.Contains("too many", logins.Decide(first with { Nonce = Nonce(3) }, Now).Refusal);
        Assert.Contains("already used", logins.Decide(first, Now + (long)TimeSpan.FromMinutes(5).TotalMilliseconds).Refusal);

        // Ten minutes on, the first nonce's proof is too old whatever it says, and its place is free again.
        var later = Now + (long)TimeSpan.FromMinutes(10).TotalMilliseconds;
        Assert.NotNull(logins.Decide(first with { IssuedAtMs = later, Nonce = Nonce(3) }, later).Principal);
        Assert.Contains("apart", logins.Decide(first, later).Refusal);
    }

    private static CertificateLogins Logins() => new(Gateway, TimeSpan.FromMinutes(5), 1000);

    private static byte[] Nonce(byte seed) => Enumerable.Repeat(seed, CertifiedSessionProof.NonceBytes).ToArray();

    private static string Foreign(string directory)
    {
        using var foreign = new TestAuthority(directory, "foreign-ca");
        return foreign.CaPath;
    }
}
