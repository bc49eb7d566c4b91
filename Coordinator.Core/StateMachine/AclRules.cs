using Coordinator.Client;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// ZooKeeper's ACL semantics as pure rules: who an entry matches, what a node's ACL allows an identity, and how an
/// ACL given at create or setAcl is checked and resolved (<c>auth</c> becomes the caller's own digest entry, as
/// ZooKeeper's fixupACL does). An identity is the session's principal: the user its password proved, <c>x509:SUBJECT</c>
/// for a session its certificate proved (see <see cref="CertificatePrincipal"/>; a user name holds no colon, so the two
/// never meet), or null for an anonymous session.
/// </summary>
internal static class AclRules
{
    public const int MaxUserNameLength = 256;

    public const int MaxAclEntries = 64;

    public const int MaxSubjectLength = 1024;

    private const string X509Prefix = AclEntry.X509Scheme + ":";

    /// <summary>The principal of a session its certificate proved: <c>x509:</c> and the subject distinguished name.</summary>
    public static string CertificatePrincipal(string subject) => X509Prefix + subject;

    /// <summary>The subject of a certificate principal; null for a user or an anonymous session.</summary>
    public static string? SubjectOf(string? principal) =>
        principal is not null && principal.StartsWith(X509Prefix, StringComparison.Ordinal) ? principal[X509Prefix.Length..] : null;

    /// <summary>
    /// Whether <paramref name="acl"/> grants any of <paramref name="wanted"/> to <paramref name="user"/>. The super user
    /// passes every check; an empty ACL (never stored by create or setAcl, but ZooKeeper's rule) allows everything.
    /// </summary>
    public static bool Allows(NodeAcl acl, string? user, string? superUser, Permissions wanted)
    {
        if (user is not null && user == superUser)
        {
            return true;
        }
        var entries = acl.Entries;
        if (entries.Count == 0)
        {
            return true;
        }
        foreach (var entry in entries)
        {
            if ((entry.Permissions & wanted) != 0 && Matches(entry, user))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// world:anyone matches everyone; digest:user (and digest:user:hash) matches a session of that user; x509:subject a
    /// session whose certificate has exactly that subject.
    /// </summary>
    public static bool Matches(AclEntry entry, string? user) => entry.Scheme switch
    {
        AclEntry.WorldScheme => entry.Id == AclEntry.AnyoneId,
        AclEntry.DigestScheme => user is not null && UserOf(entry.Id) == user,
        AclEntry.X509Scheme => SubjectOf(user) == entry.Id,
        _ => false,
    };

    /// <summary>The user part of a digest id: <c>alice</c> of <c>alice</c> or of ZooKeeper's <c>alice:base64hash</c>.</summary>
    public static string UserOf(string digestId)
    {
        var colon = digestId.IndexOf(':');
        return colon < 0 ? digestId : digestId[..colon];
    }

    /// <summary>
    /// The ACL to store for an ACL given by <paramref name="user"/>'s session: null when it is invalid, with the reason.
    /// Refused: an empty list, too many entries, an unknown scheme, world with an id other than anyone, digest without a
    /// valid user, x509 without a valid subject, permissions outside READ..ADMIN, and auth from an anonymous session.
    /// Auth from a certificate's session becomes its x509 entry.
    /// </summary>
    public static NodeAcl? Resolve(IReadOnlyList<AclEntry> given, string? user, out string? reason)
    {
        reason = null;
        if (given.Count == 0)
        {
            reason = "the ACL is empty: give at least one entry, for example world:anyone:cdrwa";
            return null;
        }
        if (given.Count > MaxAclEntries)
        {
            reason = $"the ACL has {given.Count} entries: at most {MaxAclEntries}";
            return null;
        }
        var resolved = new List<AclEntry>(given.Count);
        foreach (var entry in given)
        {
            if (entry?.Scheme is null || entry.Id is null)
            {
                reason = "an ACL entry is missing its scheme or id";
                return null;
            }
            if ((entry.Permissions & ~Permissions.All) != 0)
            {
                reason = $"{entry.Scheme}:{entry.Id} has permissions {(int)entry.Permissions}: must be a combination of READ, WRITE, CREATE, DELETE and ADMIN";
                return null;
            }
            switch (entry.Scheme)
            {
                case AclEntry.WorldScheme when entry.Id == AclEntry.AnyoneId:
                    resolved.Add(entry);
                    break;
                case AclEntry.DigestScheme when IsValidUserName(UserOf(entry.Id)):
                    resolved.Add(entry);
                    break;
                case AclEntry.X509Scheme when IsValidSubject(entry.Id):
                    resolved.Add(entry);
                    break;
                case AclEntry.AuthScheme when SubjectOf(user) is { } subject:
                    resolved.Add(new AclEntry(AclEntry.X509Scheme, subject, entry.Permissions));
                    break;
                case AclEntry.AuthScheme when user is not null:
                    resolved.Add(AclEntry.ForUser(user, entry.Permissions));
                    break;
                case AclEntry.AuthScheme:
                    reason = "auth stands for the caller's user, and this session has none (it is anonymous)";
                    return null;
                default:
                    reason = $"{entry.Scheme}:{entry.Id} is not a supported ACL entry: use world:anyone, digest:USER, x509:SUBJECT or auth";
                    return null;
            }
        }
        return new NodeAcl(resolved.Distinct());
    }

    /// <summary>A subject distinguished name: 1 to 1024 characters, no control character.</summary>
    public static bool IsValidSubject(string? subject) => subject is { Length: > 0 and <= MaxSubjectLength } && !subject.Any(char.IsControl);

    /// <summary>1 to 256 characters, none of them a colon (digest ids split on it), a control character or a space.</summary>
    public static bool IsValidUserName(string? name) =>
        name is { Length: > 0 and <= MaxUserNameLength } && !name.Any(c => c == ':' || char.IsControl(c) || char.IsWhiteSpace(c));
}
