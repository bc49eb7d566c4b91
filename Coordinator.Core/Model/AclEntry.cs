namespace Coordinator.Client;

/// <summary>
/// One entry of a node's ACL, as in ZooKeeper: a scheme, an id in that scheme, and the permissions it grants.
/// Schemes: <c>world:anyone</c> (everyone), <c>digest:user</c> or <c>digest:user:hash</c> (a session authenticated as
/// that user; a hash part is kept for ZooKeeper tools and not compared), <c>x509:subject</c> (a session created by
/// proof of a certificate of the cluster's CA with that subject distinguished name), and <c>auth</c> (at create or
/// setAcl only: stands for the caller's own identity, and is stored as its <c>digest</c> or <c>x509</c> entry).
/// </summary>
public sealed record AclEntry(string Scheme, string Id, Permissions Permissions)
{
    public const string WorldScheme = "world";
    public const string AnyoneId = "anyone";
    public const string DigestScheme = "digest";
    public const string AuthScheme = "auth";
    public const string X509Scheme = "x509";

    /// <summary>world:anyone with every permission: ZooKeeper's OPEN_ACL_UNSAFE, the default ACL.</summary>
    public static AclEntry OpenToAnyone { get; } = new(WorldScheme, AnyoneId, Permissions.All);

    /// <summary>Every permission for the calling session's own user (ZooKeeper's CREATOR_ALL_ACL).</summary>
    public static AclEntry CreatorAll { get; } = new(AuthScheme, "", Permissions.All);

    /// <summary>Every permission for one user.</summary>
    public static AclEntry ForUser(string user, Permissions permissions) => new(DigestScheme, user, permissions);

    /// <summary>ZooKeeper's text form, <c>scheme:id:perms</c> with perms as letters of <c>cdrwa</c>.</summary>
    public override string ToString() => $"{Scheme}:{Id}:{AclText.FormatPermissions(Permissions)}";

    /// <summary>Reads <c>scheme:id:perms</c> (perms letters of <c>cdrwa</c>); the id may hold colons (digest:user:hash).</summary>
    /// <exception cref="FormatException">Not of that form.</exception>
    public static AclEntry Parse(string text) => AclText.Parse(text);
}
