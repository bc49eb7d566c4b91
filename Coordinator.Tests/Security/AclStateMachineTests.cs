using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Tests.StateMachine;
using static Coordinator.Tests.StateMachine.Harness;

namespace Coordinator.Tests.Security;

/// <summary>
/// Issue 19, ACLs in Apply: each write checks the permission ZooKeeper checks (create and delete on the parent,
/// setData WRITE, check READ, setAcl ADMIN), refusals change nothing, and only the super user manages users.
/// </summary>
[Trait("Category", "Security")]
public sealed class AclStateMachineTests
{
    internal const long Root = 1;
    internal const long Alice = 2;
    internal const long Bob = 3;
    internal const long Anonymous = 4;

    internal static readonly IReadOnlyList<AclEntry> AliceOnly = [AclEntry.ForUser("alice", Permissions.All)];

    internal static Harness Cluster(StateMachineSettings? settings = null)
    {
        var h = new Harness(settings ?? new StateMachineSettings { SuperUser = "root" });
        h.Open(Root, user: "root");
        h.Open(Alice, user: "alice");
        h.Open(Bob, user: "bob");
        h.Open(Anonymous);
        Assert.IsType<CreatedResult>(h.Do(Alice, new Create("/p", Bytes("secret"), NodeKind.Persistent, Acl: AliceOnly)));
        return h;
    }

    private static void RefusedAndUnchanged(Harness h, long session, Transaction txn)
    {
        var (tree, locks, acl) = (TreeOperationTests.Dump(h.Machine), h.Machine.LockPaths(), h.Machine.GetAcl(Root, "/p"));
        var result = h.Run(session, txn);
        Assert.Equal(ErrorCode.NoAuth, result.Code);
        Assert.Empty(result.Events);
        Assert.Equal(tree, TreeOperationTests.Dump(h.Machine));
        Assert.Equal(locks, h.Machine.LockPaths());
        Assert.Equal((acl.Acl, acl.AclVersion), (h.Machine.GetAcl(Root, "/p").Acl, h.Machine.GetAcl(Root, "/p").AclVersion));
    }

    [Theory]
    [InlineData(Bob)]
    [InlineData(Anonymous)]
    public void Every_write_kind_on_a_node_only_alice_may_touch_is_refused_to_others_and_changes_nothing(long other)
    {
        var h = Cluster();
        Assert.IsType<CreatedResult>(h.Do(Alice, Persistent("/p/child")));
        RefusedAndUnchanged(h, other, Persistent("/p/new"));
        RefusedAndUnchanged(h, other, new Delete("/p/child"));
        RefusedAndUnchanged(h, other, new SetData("/p", Bytes("mine")));
        RefusedAndUnchanged(h, other, new Check("/p"));
        RefusedAndUnchanged(h, other, new SetAcl("/p", [AclEntry.OpenToAnyone]));
        RefusedAndUnchanged(h, other, new Multi([new SetData("/", Bytes("x")), new SetData("/p", Bytes("x"))]));
        RefusedAndUnchanged(h, other, new Acquire("/p", LockMode.Exclusive, false));
        RefusedAndUnchanged(h, other, new Acquire("/p/lock/below", LockMode.Shared, false));
        RefusedAndUnchanged(h, other, new CheckToken("/p", 1));
        RefusedAndUnchanged(h, other, new Create("/p/a/b", [], NodeKind.Persistent, CreateParents: true));
        Assert.Equal(ErrorCode.NoAuth, h.Machine.Authorize(other, "/p", Permissions.Read));
        Assert.Equal(ErrorCode.NoAuth, h.Machine.GetAcl(other, "/p").Code);

        Assert.IsType<StatResult>(h.Do(Alice, new SetData("/p", Bytes("v2"))));
        Assert.Equal(ErrorCode.Ok, h.Code(Alice, new Delete("/p/child")));
        Assert.IsType<LockAcquiredResult>(h.Do(Alice, new Acquire("/p", LockMode.Exclusive, false)));
        Assert.Equal(ErrorCode.Ok, h.Machine.Authorize(Alice, "/p", Permissions.Read));
    }

    [Fact]
    public void Each_operation_needs_its_own_permission_and_no_other()
    {
        var h = Cluster();
        Assert.IsType<CreatedResult>(h.Do(Alice, Persistent("/p/child")));
        void Grant(Permissions permissions) =>
            Assert.IsType<AclSetResult>(h.Do(Alice, new SetAcl("/p", [AclEntry.ForUser("alice", Permissions.Admin), AclEntry.ForUser("bob", permissions)])));

        Grant(Permissions.All & ~Permissions.Create);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, Persistent("/p/b")));
        Grant(Permissions.Create);
        Assert.IsType<CreatedResult>(h.Do(Bob, Persistent("/p/b")));

        Grant(Permissions.All & ~Permissions.Delete);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, new Delete("/p/b")));
        Grant(Permissions.Delete);
        Assert.Equal(ErrorCode.Ok, h.Code(Bob, new Delete("/p/b")));

        Grant(Permissions.All & ~Permissions.Write);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, new SetData("/p", [])));
        Grant(Permissions.Write);
        Assert.IsType<StatResult>(h.Do(Bob, new SetData("/p", [])));

        Grant(Permissions.All & ~Permissions.Read);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, new Check("/p")));
        Assert.Equal(ErrorCode.NoAuth, h.Machine.Authorize(Bob, "/p", Permissions.Read));
        Grant(Permissions.Read);
        Assert.Equal(ErrorCode.Ok, h.Code(Bob, new Check("/p")));
        Assert.Equal(ErrorCode.Ok, h.Machine.GetAcl(Bob, "/p").Code);

        Grant(Permissions.All & ~Permissions.Admin);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, new SetAcl("/p", [AclEntry.OpenToAnyone])));
        Grant(Permissions.Admin);
        Assert.IsType<AclSetResult>(h.Do(Bob, new SetAcl("/p", [AclEntry.OpenToAnyone])));
    }

    [Fact]
    public void Set_acl_checks_the_acl_version_and_bumps_it()
    {
        var h = Cluster();
        Assert.Equal(0, h.Machine.GetAcl(Alice, "/p").AclVersion);
        Assert.Equal(ErrorCode.BadVersion, h.Code(Alice, new SetAcl("/p", [AclEntry.OpenToAnyone], 1)));
        Assert.Equal(AliceOnly, h.Machine.GetAcl(Alice, "/p").Acl);
        Assert.Equal(1, Assert.IsType<AclSetResult>(h.Do(Alice, new SetAcl("/p", [AclEntry.OpenToAnyone], 0))).AclVersion);
        Assert.Equal(2, Assert.IsType<AclSetResult>(h.Do(Alice, new SetAcl("/p", [AclEntry.OpenToAnyone], -1))).AclVersion);
        Assert.Equal(0, h.Machine.GetData("/p").Stat.Version);
    }

    [Fact]
    public void The_super_user_passes_every_check_and_repairs_any_acl()
    {
        var h = Cluster();
        Assert.IsType<AclSetResult>(h.Do(Alice, new SetAcl("/p", [AclEntry.ForUser("alice", Permissions.None)])));
        Assert.Equal(ErrorCode.NoAuth, h.Code(Alice, new SetAcl("/p", AliceOnly)));
        Assert.IsType<StatResult>(h.Do(Root, new SetData("/p", Bytes("fixed"))));
        Assert.IsType<AclSetResult>(h.Do(Root, new SetAcl("/p", AliceOnly)));
        Assert.IsType<StatResult>(h.Do(Alice, new SetData("/p", Bytes("again"))));
    }

    [Fact]
    public void Auth_stores_the_creators_digest_and_an_anonymous_session_cannot_use_it()
    {
        var h = Cluster();
        Assert.IsType<CreatedResult>(h.Do(Bob, new Create("/bob", [], NodeKind.Persistent, Acl: [AclEntry.CreatorAll])));
        Assert.Equal([AclEntry.ForUser("bob", Permissions.All)], h.Machine.GetAcl(Bob, "/bob").Acl);
        var invalid = h.Do(Anonymous, new Create("/anon", [], NodeKind.Persistent, Acl: [AclEntry.CreatorAll]));
        Assert.Equal(ErrorCode.InvalidAcl, invalid.Code);
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/anon").Code);
        Assert.Equal(ErrorCode.InvalidAcl, h.Code(Bob, new SetAcl("/bob", [])));
    }

    [Fact]
    public void Nodes_created_without_an_acl_get_the_configured_default()
    {
        var h = Cluster(new StateMachineSettings { DefaultAcl = new NodeAcl([new AclEntry("world", "anyone", Permissions.Read | Permissions.Create)]) });
        Assert.IsType<CreatedResult>(h.Do(Anonymous, Persistent("/d")));
        Assert.Equal(ErrorCode.NoAuth, h.Code(Anonymous, new SetData("/d", [])));
        Assert.IsType<CreatedResult>(h.Do(Anonymous, Persistent("/d/e")));
    }

    [Fact]
    public void Only_the_super_user_stores_and_removes_users_and_never_under_its_own_name()
    {
        var h = Cluster();
        var digest = new PasswordDigest(1000, [1, 2], [3, 4]);
        Assert.Equal(ErrorCode.NoAuth, h.Code(Alice, new StoreUser("carol", digest)));
        Assert.Null(h.Machine.GetUser("carol"));
        Assert.Equal(ErrorCode.Ok, h.Code(Root, new StoreUser("carol", digest)));
        Assert.Same(digest, h.Machine.GetUser("carol"));
        Assert.Equal(ErrorCode.BadArguments, h.Code(Root, new StoreUser("root", digest)));
        Assert.Equal(ErrorCode.BadArguments, h.Code(Root, new StoreUser("bad:name", digest)));
        Assert.Equal(ErrorCode.BadArguments, h.Code(Root, new StoreUser("dave", new PasswordDigest(0, [], []))));
        Assert.Equal(ErrorCode.NoAuth, h.Code(Bob, new RemoveUser("carol")));
        Assert.Equal(ErrorCode.Ok, h.Code(Root, new RemoveUser("carol")));
        Assert.Equal(ErrorCode.BadArguments, h.Code(Root, new RemoveUser("carol")));
        Assert.Empty(h.Machine.UserNames());
    }

    [Fact]
    public void An_anonymous_session_that_authenticates_gets_its_user_and_keeps_one_identity()
    {
        var h = Cluster();
        Assert.Equal(ErrorCode.NoAuth, h.Machine.Authorize(Anonymous, "/p", Permissions.Read));
        Assert.Equal(ErrorCode.Ok, h.Code(Anonymous, new AuthenticateSession("alice")));
        Assert.Equal(ErrorCode.Ok, h.Machine.Authorize(Anonymous, "/p", Permissions.Read));
        Assert.Equal(ErrorCode.Ok, h.Code(Anonymous, new AuthenticateSession("alice")));
        Assert.Equal(ErrorCode.BadArguments, h.Code(Anonymous, new AuthenticateSession("bob")));
        Assert.Equal(ErrorCode.BadArguments, h.Code(Bob, new AuthenticateSession("alice")));
        Assert.Equal(ErrorCode.NoAuth, h.Machine.Authorize(Bob, "/p", Permissions.Read));
        Assert.Equal(ErrorCode.NotAllowed, h.Code(Bob, new AuthenticateSessionAs("alice", "pw")));
    }

    [Fact]
    public void Password_carrying_requests_are_never_applied()
    {
        var h = Cluster();
        Assert.Equal(ErrorCode.NotAllowed, h.Code(Root, new SetPassword("carol", "pw")));
        Assert.Equal(ErrorCode.NotAllowed, h.Apply(9, 1, new CreateSessionAs(10_000, 1, "alice", "pw")).Code);
        Assert.Equal(ErrorCode.NotAllowed, h.Apply(9, 1, new CreateCertifiedSession(10_000, 1, [1], "127.0.0.1:4001", 0, new byte[16], [2])).Code);
        Assert.Null(h.Machine.GetSession(9));
    }

    [Fact]
    public void A_failed_multi_rolls_back_an_acl_free_create_and_checks_every_op()
    {
        var h = Cluster();
        var result = Assert.IsType<MultiErrorResult>(h.Do(Bob, new Multi([Persistent("/ok"), new SetData("/p", [])])));
        Assert.Equal(1, result.FailedIndex);
        Assert.Equal(ErrorCode.NoAuth, result.Error);
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/ok").Code);
    }
}
