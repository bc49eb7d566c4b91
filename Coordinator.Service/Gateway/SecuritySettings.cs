using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Coordinator.Client;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Gateway;

/// <summary>
/// Authentication and ACL settings (<c>coordinator.security</c> in HOCON). The gateway uses the anonymous rule, the
/// hashing cost, the super user's digest and the failure backoff; the super user's name and the default ACL decide
/// outcomes of Apply, so they also go into <see cref="StateMachineSettings"/> and must be the same on every replica.
/// </summary>
/// <param name="AllowAnonymous">Whether a session may be created without credentials.</param>
/// <param name="PasswordIterations">PBKDF2-SHA-256 iterations for a password the gateway hashes (add or change a user).</param>
/// <param name="SuperUser">The user who passes every ACL check and manages users; null for none.</param>
/// <param name="SuperUserDigest">The super user's password digest; a super user needs one to log in.</param>
/// <param name="DefaultAcl">The ACL of nodes created without one.</param>
/// <param name="Backoff">How repeated failed logins are slowed down.</param>
internal sealed record SecuritySettings(
    bool AllowAnonymous,
    int PasswordIterations,
    string? SuperUser,
    PasswordDigest? SuperUserDigest,
    NodeAcl DefaultAcl,
    AuthBackoff.Rule Backoff)
{
    public const string Path = "coordinator.security";

    /// <summary>
    /// The cluster's CA (<c>coordinator.tls.ca</c>), which a session's certificate proof must chain to; null without TLS,
    /// and then such proofs are refused.
    /// </summary>
    public X509Certificate2Collection? ClientAuthorities { get; init; }

    /// <summary>This replica's listed "host:port", the gateway a certificate proof must name.</summary>
    public string Gateway { get; init; } = "";

    /// <summary>How far a certificate proof's time may be from this gateway's clock, either way.</summary>
    public static TimeSpan CertificateProofWindow { get; } = TimeSpan.FromMinutes(5);

    /// <summary>The settings of the embedded <c>reference.conf</c>.</summary>
    public static SecuritySettings Default { get; } = Create(ReplicaHost.ReferenceConfig.GetConfig(Path));

    /// <param name="section">The <c>coordinator.security</c> section.</param>
    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static SecuritySettings Create(Config section)
    {
        var hocon = new HoconSection(section, Path);
        var iterations = hocon.Int("password-iterations");
        if (iterations < 1000)
        {
            throw hocon.Invalid("password-iterations", "must be at least 1000");
        }
        var superUser = hocon.String("super-user");
        if (superUser.Length > 0 && !AclRules.IsValidUserName(superUser))
        {
            throw hocon.Invalid("super-user", "is not a user name (1 to 256 characters, no colon, space or control character)");
        }
        var digestText = hocon.String("super-user-digest");
        var digest = PasswordDigest.TryParse(digestText);
        if (digestText.Length > 0 && digest is null)
        {
            throw hocon.Invalid("super-user-digest", $"is not {PasswordDigest.Prefix}:ITERATIONS:SALT:HASH (coord user digest PASSWORD prints one)");
        }
        if (superUser.Length > 0 && digest is null)
        {
            throw hocon.Invalid("super-user-digest", $"is missing: super-user {superUser} needs one to log in");
        }
        var defaultAcl = ReadAcl(hocon);
        var backoff = new AuthBackoff.Rule(
            hocon.Int("failures-before-backoff"),
            hocon.Duration("backoff-base"),
            hocon.Duration("backoff-max"),
            hocon.Duration("failures-forgotten-after"),
            hocon.Int("max-tracked-failures"));
        if (backoff.FreeFailures < 0 || backoff.Base <= TimeSpan.Zero || backoff.Max < backoff.Base || backoff.ForgetAfter <= TimeSpan.Zero
            || backoff.MaxTracked <= 0)
        {
            throw new ConfigurationException(
                $"{Path}: failures-before-backoff must be 0 or more, backoff-base and failures-forgotten-after positive, backoff-max at least backoff-base, max-tracked-failures positive.");
        }
        _ = hocon.String("allow-anonymous");
        return new SecuritySettings(
            section.GetBoolean("allow-anonymous"), iterations, superUser.Length > 0 ? superUser : null, digest, defaultAcl, backoff);
    }

    private static NodeAcl ReadAcl(HoconSection hocon)
    {
        var entries = new List<AclEntry>();
        foreach (var text in hocon.String("default-acl").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                entries.Add(AclEntry.Parse(text));
            }
            catch (FormatException invalid)
            {
                throw hocon.Invalid("default-acl", invalid.Message);
            }
        }
        return AclRules.Resolve(entries, null, out var reason)
            ?? throw hocon.Invalid("default-acl", $"is not a valid ACL: {reason}");
    }
}
