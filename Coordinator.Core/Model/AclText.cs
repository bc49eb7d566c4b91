namespace Coordinator.Client;

/// <summary>ZooKeeper's text form of ACL entries and permissions (zkCli's <c>setAcl /p digest:u:h:cdrwa</c>).</summary>
internal static class AclText
{
    private static readonly (char Letter, Permissions Permission)[] Letters =
    [
        ('c', Permissions.Create), ('d', Permissions.Delete), ('r', Permissions.Read), ('w', Permissions.Write), ('a', Permissions.Admin),
    ];

    public static string FormatPermissions(Permissions permissions) =>
        new([.. Letters.Where(letter => permissions.HasFlag(letter.Permission)).Select(letter => letter.Letter)]);

    public static AclEntry Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var first = text.IndexOf(':');
        var last = text.LastIndexOf(':');
        if (first <= 0 || last == first && text[..first] != AclEntry.AuthScheme)
        {
            throw new FormatException($"ACL entry '{text}' is not scheme:id:perms (for example world:anyone:cdrwa or digest:alice:r)");
        }
        var scheme = text[..first];
        var id = last == first ? "" : text[(first + 1)..last];
        return new AclEntry(scheme, id, ParsePermissions(text[(last + 1)..], text));
    }

    private static Permissions ParsePermissions(string letters, string text)
    {
        var permissions = Permissions.None;
        foreach (var c in letters)
        {
            var match = Array.FindIndex(Letters, letter => letter.Letter == char.ToLowerInvariant(c));
            if (match < 0)
            {
                throw new FormatException($"ACL entry '{text}': '{c}' is not a permission letter (c, d, r, w, a)");
            }
            permissions |= Letters[match].Permission;
        }
        return permissions;
    }
}
