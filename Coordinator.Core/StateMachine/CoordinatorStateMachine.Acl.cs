using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Per-node ACLs and the user table. Apply checks every write against the ACL of the node it touches (create and
/// delete against the parent's, as ZooKeeper does) and the gateway checks reads with <see cref="Authorize"/> against
/// the same replicated state. A session's identity is the user its gateway verified at create; the super user passes
/// every check. Users are stored as digests the gateway computed: Apply never hashes, so it stays fast and
/// deterministic.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    private readonly SortedDictionary<string, PasswordDigest> _users = new(StringComparer.Ordinal);

    /// <summary>The stored digest of a user, for the gateway to check a password against; null for no such user.</summary>
    public PasswordDigest? GetUser(string name) => name is not null && _users.TryGetValue(name, out var digest) ? digest : null;

    public IReadOnlyList<string> UserNames() => [.. _users.Keys];

    /// <summary>
    /// Ok when the session may do what <paramref name="wanted"/> names on the node at <paramref name="path"/>, or when
    /// there is no such node (the read itself then answers NoNode or InvalidPath); NoAuth otherwise. A session this
    /// replica does not know is anonymous.
    /// </summary>
    public ErrorCode Authorize(long sessionId, string path, Permissions wanted) =>
        Lookup(path, out var node) != ErrorCode.Ok || Allowed(sessionId, node!, wanted) ? ErrorCode.Ok : ErrorCode.NoAuth;

    /// <summary>A node's ACL and ACL version; needs READ or ADMIN on it, as ZooKeeper's getACL does.</summary>
    public AclRead GetAcl(long sessionId, string path)
    {
        var code = Lookup(path, out var node);
        if (code != ErrorCode.Ok)
        {
            return new AclRead(code, [], 0, default);
        }
        return Allowed(sessionId, node!, Permissions.Read | Permissions.Admin)
            ? new AclRead(ErrorCode.Ok, node!.Acl.Entries, node.AclVersion, node.ToStat())
            : new AclRead(ErrorCode.NoAuth, [], 0, default);
    }

    private string? UserOf(long sessionId) => _sessions.TryGetValue(sessionId, out var session) ? session.User : null;

    private bool Allowed(long sessionId, DataNode node, Permissions wanted) =>
        AclRules.Allows(node.Acl, UserOf(sessionId), _settings.SuperUser, wanted);

    /// <summary>What guards a lock path: the node at that path, or else its nearest existing ancestor (the root at worst).</summary>
    private DataNode GoverningNode(string path)
    {
        var node = _root;
        var rest = path.AsSpan(1);
        while (!rest.IsEmpty)
        {
            var slash = rest.IndexOf('/');
            var child = node.Child(slash < 0 ? rest : rest[..slash]);
            if (child is null)
            {
                return node;
            }
            node = child;
            if (slash < 0)
            {
                break;
            }
            rest = rest[(slash + 1)..];
        }
        return node;
    }

    /// <summary>The ACL a create stores: the given one resolved for the session, or the configured default.</summary>
    private NodeAcl? AclForCreate(long sessionId, IReadOnlyList<AclEntry>? given, out string? reason)
    {
        reason = null;
        return given is null ? _settings.DefaultAcl : AclRules.Resolve(given, UserOf(sessionId), out reason);
    }

    private static ErrorResult InvalidAcl(string? reason) => new(ErrorCode.InvalidAcl, reason);

    private OpResult SetNodeAcl(long sessionId, SetAcl set)
    {
        if (!PathRules.IsValid(set.Path, _settings.MaxPathLength))
        {
            return Error(ErrorCode.InvalidPath);
        }
        if (set.Acl is null)
        {
            return InvalidAcl("the ACL is missing");
        }
        var acl = AclRules.Resolve(set.Acl, UserOf(sessionId), out var reason);
        if (acl is null)
        {
            return InvalidAcl(reason);
        }
        var node = Find(set.Path);
        if (node is null)
        {
            return Error(ErrorCode.NoNode);
        }
        if (!Allowed(sessionId, node, Permissions.Admin))
        {
            return Error(ErrorCode.NoAuth);
        }
        if (set.ExpectedAclVersion != -1 && set.ExpectedAclVersion != node.AclVersion)
        {
            return Error(ErrorCode.BadVersion);
        }
        var (oldAcl, oldVersion) = (node.Acl, node.AclVersion);
        Record(new UndoEntry(UndoKind.Reverted, (Action)(() => (node.Acl, node.AclVersion) = (oldAcl, oldVersion))));
        node.Acl = acl;
        node.AclVersion = unchecked(node.AclVersion + 1);
        return new AclSetResult(node.AclVersion, node.ToStat());
    }

    private OpResult StoreUserDigest(Session session, StoreUser store)
    {
        if (RefuseUserAdmin(session, store.Name) is { } refused)
        {
            return refused;
        }
        if (store.Digest is not { IsWellFormed: true })
        {
            return BadArguments($"the password digest is malformed: a gateway computes it");
        }
        SetUser(store.Name, store.Digest);
        return OkResult.Instance;
    }

    private OpResult RemoveUserDigest(Session session, RemoveUser remove)
    {
        if (RefuseUserAdmin(session, remove.Name) is { } refused)
        {
            return refused;
        }
        if (!_users.ContainsKey(remove.Name))
        {
            return BadArguments($"user {remove.Name} does not exist");
        }
        SetUser(remove.Name, null);
        return OkResult.Instance;
    }

    private OpResult Authenticate(Session session, AuthenticateSession authenticate)
    {
        if (!AclRules.IsValidUserName(authenticate.User))
        {
            return BadArguments($"user name '{authenticate.User}' is not valid");
        }
        if (session.User == authenticate.User)
        {
            return OkResult.Instance;
        }
        if (session.User is not null)
        {
            return BadArguments($"the session is already {session.User}: a session has one identity");
        }
        Record(new UndoEntry(UndoKind.Reverted, (Action)(() => session.User = null)));
        session.User = authenticate.User;
        return OkResult.Instance;
    }

    private ErrorResult? RefuseUserAdmin(Session session, string name)
    {
        if (_settings.SuperUser is null || session.User != _settings.SuperUser)
        {
            return Error(ErrorCode.NoAuth);
        }
        if (!AclRules.IsValidUserName(name))
        {
            return BadArguments($"user name '{name}' is not valid: 1 to {AclRules.MaxUserNameLength} characters, no colon, space or control character");
        }
        return name == _settings.SuperUser
            ? BadArguments($"{name} is the configured super user: its password is coordinator.security.super-user-digest, not a stored user")
            : null;
    }

    private void SetUser(string name, PasswordDigest? digest)
    {
        var old = GetUser(name);
        Record(new UndoEntry(UndoKind.Reverted, (Action)(() => PutUser(name, old))));
        PutUser(name, digest);
    }

    private void PutUser(string name, PasswordDigest? digest)
    {
        if (digest is null)
        {
            _users.Remove(name);
        }
        else
        {
            _users[name] = digest;
        }
    }
}
