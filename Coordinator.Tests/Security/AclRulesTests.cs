using Coordinator.Client;
using Coordinator.Core.StateMachine;

namespace Coordinator.Tests.Security;

/// <summary>Issue 19, ACLs: ZooKeeper's schemes and permissions as the pure rules the state machine and gateway use.</summary>
[Trait("Category", "Security")]
public sealed class AclRulesTests
{
    private static readonly NodeAcl AliceAll = new([AclEntry.ForUser("alice", Permissions.All)]);

    [Fact]
    public void World_anyone_matches_every_identity_anonymous_included()
    {
        Assert.True(AclRules.Allows(NodeAcl.Open, null, null, Permissions.Read));
        Assert.True(AclRules.Allows(NodeAcl.Open, "bob", null, Permissions.Admin));
        Assert.False(AclRules.Matches(new AclEntry("world", "everyone", Permissions.All), "bob"));
    }

    [Fact]
    public void Digest_matches_only_its_user_with_or_without_a_zookeeper_hash_part()
    {
        Assert.True(AclRules.Allows(AliceAll, "alice", null, Permissions.Read));
        Assert.False(AclRules.Allows(AliceAll, "bob", null, Permissions.Read));
        Assert.False(AclRules.Allows(AliceAll, null, null, Permissions.Read));
        var withHash = new NodeAcl([new AclEntry("digest", "alice:X/NSthOYHz5jvTp6Y3Kx2lZ2Rv4=", Permissions.Read)]);
        Assert.True(AclRules.Allows(withHash, "alice", null, Permissions.Read));
        Assert.False(AclRules.Allows(withHash, "alice:X", null, Permissions.Read));
    }

    [Theory]
    [InlineData(Permissions.Read)]
    [InlineData(Permissions.Write)]
    [InlineData(Permissions.Create)]
    [InlineData(Permissions.Delete)]
    [InlineData(Permissions.Admin)]
    public void Each_permission_is_granted_by_its_own_bit_and_by_no_other(Permissions permission)
    {
        var only = new NodeAcl([AclEntry.ForUser("alice", permission)]);
        var allBut = new NodeAcl([AclEntry.ForUser("alice", Permissions.All & ~permission)]);
        Assert.True(AclRules.Allows(only, "alice", null, permission));
        Assert.False(AclRules.Allows(allBut, "alice", null, permission));
    }

    [Fact]
    public void Permission_bits_are_zookeepers()
    {
        Assert.Equal([1, 2, 4, 8, 16, 31], new[] { Permissions.Read, Permissions.Write, Permissions.Create, Permissions.Delete, Permissions.Admin, Permissions.All }.Select(p => (int)p));
    }

    [Fact]
    public void The_super_user_passes_every_check_and_a_user_of_another_name_does_not()
    {
        var nobody = new NodeAcl([AclEntry.ForUser("alice", Permissions.None)]);
        Assert.True(AclRules.Allows(nobody, "root", "root", Permissions.Admin));
        Assert.False(AclRules.Allows(nobody, "alice", "root", Permissions.Read));
        Assert.False(AclRules.Allows(nobody, null, null, Permissions.Read));
    }

    [Fact]
    public void Auth_resolves_to_the_callers_digest_and_is_refused_to_an_anonymous_session()
    {
        var resolved = AclRules.Resolve([AclEntry.CreatorAll, AclEntry.OpenToAnyone with { Permissions = Permissions.Read }], "alice", out _);
        Assert.Equal([AclEntry.ForUser("alice", Permissions.All), new AclEntry("world", "anyone", Permissions.Read)], resolved!.Entries);
        Assert.Null(AclRules.Resolve([AclEntry.CreatorAll], null, out var reason));
        Assert.Contains("anonymous", reason);
    }

    [Fact]
    public void An_x509_entry_matches_only_a_session_whose_certificate_has_that_subject()
    {
        var acl = AclRules.Resolve([new AclEntry("x509", "CN=alice", Permissions.Read)], null, out _)!;
        Assert.True(AclRules.Allows(acl, AclRules.CertificatePrincipal("CN=alice"), null, Permissions.Read));
        Assert.False(AclRules.Allows(acl, AclRules.CertificatePrincipal("CN=mallory"), null, Permissions.Read));
        Assert.False(AclRules.Allows(acl, AclRules.CertificatePrincipal("CN=alice"), null, Permissions.Write));
        // A password user named like the subject is not the certificate's holder, nor is a digest entry of it.
        Assert.False(AclRules.Allows(acl, "alice", null, Permissions.Read));
        Assert.False(AclRules.Matches(AclEntry.ForUser("x509", Permissions.Read), AclRules.CertificatePrincipal("CN=alice")));
    }

    [Fact]
    public void Auth_from_a_certificates_session_resolves_to_its_x509_entry()
    {
        var resolved = AclRules.Resolve([AclEntry.CreatorAll], AclRules.CertificatePrincipal("CN=alice, O=Org"), out _);
        Assert.Equal([new AclEntry("x509", "CN=alice, O=Org", Permissions.All)], resolved!.Entries);
    }

    [Theory]
    [InlineData("x509", "")]
    [InlineData("x509", "CN=a\nb")]
    [InlineData("ip", "127.0.0.1")]
    [InlineData("world", "someone")]
    [InlineData("digest", "")]
    [InlineData("digest", "al ice")]
    public void Unknown_schemes_and_malformed_ids_are_invalid(string scheme, string id)
    {
        Assert.Null(AclRules.Resolve([new AclEntry(scheme, id, Permissions.Read)], "alice", out var reason));
        Assert.NotNull(reason);
    }

    [Fact]
    public void An_empty_acl_and_unknown_permission_bits_are_invalid()
    {
        Assert.Null(AclRules.Resolve([], "alice", out _));
        Assert.Null(AclRules.Resolve([new AclEntry("world", "anyone", (Permissions)32)], "alice", out _));
    }

    [Fact]
    public void Acl_entries_read_and_print_zookeepers_text_form()
    {
        Assert.Equal(new AclEntry("digest", "alice:hash", Permissions.Read | Permissions.Admin), AclEntry.Parse("digest:alice:hash:ra"));
        Assert.Equal(new AclEntry("auth", "", Permissions.All), AclEntry.Parse("auth::cdrwa"));
        Assert.Equal("world:anyone:cdrwa", AclEntry.OpenToAnyone.ToString());
        Assert.Throws<FormatException>(() => AclEntry.Parse("world:anyone:rx"));
        Assert.Throws<FormatException>(() => AclEntry.Parse("anyone"));
    }

    [Fact]
    public void A_password_digest_verifies_its_password_only_and_round_trips_its_text_form()
    {
        var digest = PasswordDigest.TryParse(CoordinatorCredentials.Digest("s3cret", 1000))!;
        Assert.Equal(1000, digest.Iterations);
        Assert.True(PasswordHasher.Verify("s3cret", digest));
        Assert.False(PasswordHasher.Verify("s3creT", digest));
        Assert.Equal(digest.ToString(), PasswordDigest.TryParse(digest.ToString())!.ToString());
        Assert.NotEqual(digest.Salt, PasswordDigest.TryParse(CoordinatorCredentials.Digest("s3cret", 1000))!.Salt);
        Assert.Null(PasswordDigest.TryParse("sha1:1000:abc:def"));
    }
}
