using System.Text;
using Coordinator.Client;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;

namespace Coordinator.Tests.Security;

/// <summary>
/// Issue 19 on a real three-replica cluster (an ActorSystem, gateway and SQLite journal per replica): wrong passwords
/// get AuthFailed and no session, a node only alice may touch refuses every operation kind to bob and to anonymous
/// sessions with NoAuth and changes nothing, a setAcl with a stale ACL version gets BadVersion, the super user repairs
/// any ACL, and the ACLs hold on every replica after a restart from snapshots.
/// </summary>
[Trait("Category", "Security")]
[Collection(ReplicaCollection.Name)]
public sealed class AclClusterTests
{
    private const string RootPassword = "root-pw";

    private static string Security(bool allowAnonymous) => $$"""
        coordinator.security {
          allow-anonymous = {{(allowAnonymous ? "on" : "off")}}
          password-iterations = 1000
          super-user = root
          super-user-digest = "{{CoordinatorCredentials.Digest(RootPassword, 1000)}}"
          failures-before-backoff = 1
          backoff-base = 50ms
          backoff-max = 200ms
        }
        coordinator.replica.snapshot-interval = 5
        """;

    private static CoordinatorClientOptions Options(string server, CoordinatorCredentials? credentials) => new()
    {
        Servers = [server],
        Credentials = credentials,
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };

    private static async Task<int> AttachedSessions(InProcessCluster cluster) =>
        (await ClusterStatus.QueryAsync([.. cluster.Ids.Select(cluster.Endpoint)], TimeSpan.FromSeconds(5))).Sum(report => report.AttachedSessions);

    [Fact]
    public async Task A_node_only_alice_may_touch_refuses_every_operation_to_bob_and_to_anonymous_and_changes_nothing()
    {
        await using var cluster = new InProcessCluster(3, extraHocon: Security(allowAnonymous: true), dataTree: true);
        await cluster.StartAllAsync();
        // Every client talks to replica 1, which applied each user before its add was answered.
        var server = cluster.Endpoint(1);
        await using var root = await CoordinatorClient.ConnectAsync(Options(server, new("root", RootPassword)));
        await root.SetUserAsync("alice", "alice-pw");
        await root.SetUserAsync("bob", "bob-pw");

        var attached = await AttachedSessions(cluster);
        var wrong = await Assert.ThrowsAsync<AuthFailedException>(() => CoordinatorClient.ConnectAsync(Options(server, new("alice", "guess"))));
        Assert.Equal(ErrorCode.AuthFailed, wrong.Code);
        await Assert.ThrowsAsync<AuthFailedException>(() => CoordinatorClient.ConnectAsync(Options(server, new("mallory", "guess"))));
        await Assert.ThrowsAsync<AuthFailedException>(() => CoordinatorClient.ConnectAsync(Options(server, new("root", "guess"))));
        Assert.Equal(attached, await AttachedSessions(cluster));

        await using var alice = await CoordinatorClient.ConnectAsync(Options(server, new("alice", "alice-pw")));
        await using var bob = await CoordinatorClient.ConnectAsync(Options(server, new("bob", "bob-pw")));
        await using var anonymous = await CoordinatorClient.ConnectAsync(Options(server, null));
        IReadOnlyList<AclEntry> aliceOnly = [AclEntry.CreatorAll];
        await alice.CreateWithAclAsync("/secret", Encoding.UTF8.GetBytes("v1"), aliceOnly);
        await alice.CreateWithAclAsync("/secret/child", [], aliceOnly);
        await alice.AcquireLockAsync("/secret/lock", LockMode.Exclusive);
        await alice.ReleaseLockAsync("/secret/lock");
        var acl = await alice.GetAclAsync("/secret");
        Assert.Equal([AclEntry.ForUser("alice", Permissions.All)], acl.Acl);

        foreach (var other in new[] { bob, anonymous })
        {
            Func<Task>[] refused =
            [
                () => other.GetDataAsync("/secret"),
                () => other.ExistsAsync("/secret"),
                () => other.GetChildrenAsync("/secret"),
                () => other.GetAclAsync("/secret"),
                () => other.GetDataAsync("/secret", _ => { }),
                () => other.ExistsAsync("/secret", _ => { }),
                () => other.GetChildrenAsync("/secret", _ => { }),
                () => Watch(other, "/secret", recursive: false),
                () => Watch(other, "/secret", recursive: true),
                () => other.SetDataAsync("/secret", Encoding.UTF8.GetBytes("mine")),
                () => other.DeleteAsync("/secret/child"),
                () => other.CreateAsync("/secret/new", []),
                () => other.SetAclAsync("/secret", [AclEntry.OpenToAnyone]),
                () => other.MultiAsync([Op.SetData("/secret", [])]),
                () => other.AcquireLockAsync("/secret/lock", LockMode.Exclusive),
            ];
            for (var i = 0; i < refused.Length; i++)
            {
                var error = await Assert.ThrowsAsync<NoAuthException>(refused[i]);
                Assert.Equal(ErrorCode.NoAuth, error.Code);
                var data = await alice.GetDataAsync("/secret", ReadConsistency.Linearizable);
                Assert.Equal(("v1", 0), (Encoding.UTF8.GetString(data.Data), data.Stat.Version));
                Assert.Equal(["child"], await alice.GetChildrenAsync("/secret"));
                Assert.Equal(0, (await alice.GetAclAsync("/secret")).AclVersion);
            }
        }

        await Assert.ThrowsAsync<BadVersionException>(() => alice.SetAclAsync("/secret", [AclEntry.OpenToAnyone], aclVersion: 3));
        Assert.Equal((aliceOnly.Count, 0), ((await alice.GetAclAsync("/secret")).Acl.Count, (await alice.GetAclAsync("/secret")).AclVersion));
        await Assert.ThrowsAsync<InvalidAclException>(() => anonymous.CreateWithAclAsync("/anon", [], [AclEntry.CreatorAll]));
        await Assert.ThrowsAsync<NoAuthException>(() => alice.SetUserAsync("eve", "pw"));

        // Alice locks herself out; the super user repairs the ACL.
        Assert.Equal(1, await alice.SetAclAsync("/secret", [AclEntry.ForUser("alice", Permissions.None)], aclVersion: 0));
        await Assert.ThrowsAsync<NoAuthException>(() => alice.GetDataAsync("/secret"));
        Assert.Equal(2, await root.SetAclAsync("/secret", [AclEntry.ForUser("alice", Permissions.All), AclEntry.ForUser("bob", Permissions.Read)], 1));
        Assert.Equal("v1", Encoding.UTF8.GetString((await bob.GetDataAsync("/secret")).Data));
        await Assert.ThrowsAsync<NoAuthException>(() => bob.SetDataAsync("/secret", []));

        // Past several snapshots, and after a restart of every replica, the ACL and the users still hold everywhere.
        for (var i = 0; i < 10; i++)
        {
            await alice.SetDataAsync("/secret/child", [(byte)i]);
        }
        await root.DisposeAsync();
        await alice.DisposeAsync();
        await bob.DisposeAsync();
        await anonymous.DisposeAsync();
        await cluster.KillAllAsync();
        await cluster.StartAllAsync();
        foreach (var id in cluster.Ids)
        {
            await using var again = await ConnectEventually(Options(cluster.Endpoint(id), new("bob", "bob-pw")));
            Assert.Equal(2, (await again.GetAclAsync("/secret")).AclVersion);
            await Assert.ThrowsAsync<NoAuthException>(() => again.GetDataAsync("/secret/child", ReadConsistency.Linearizable));
        }
    }

    [Fact]
    public async Task With_anonymous_sessions_off_only_credentials_get_a_session()
    {
        await using var cluster = new InProcessCluster(1, extraHocon: Security(allowAnonymous: false), dataTree: true);
        await cluster.StartAllAsync();
        var server = cluster.Endpoint(1);
        var refused = await Assert.ThrowsAsync<AuthFailedException>(() => CoordinatorClient.ConnectAsync(Options(server, null)));
        Assert.Contains("allow-anonymous", refused.Message);
        Assert.Equal(0, await AttachedSessions(cluster));
        await using var root = await CoordinatorClient.ConnectAsync(Options(server, new("root", RootPassword)));
        await root.CreateAsync("/ok", []);
    }

    [Fact]
    public async Task Coord_takes_credentials_and_manages_users_and_acls()
    {
        await using var cluster = new InProcessCluster(1, extraHocon: Security(allowAnonymous: true), dataTree: true);
        await cluster.StartAllAsync();
        var server = cluster.Endpoint(1);
        string[] asRoot = ["--user", "root", "--password", RootPassword];

        var add = await CliProcess.RunAsync(server, [.. asRoot, "user", "add", "alice", "alice-pw"]);
        Assert.True(add.ExitCode == 0, add.Error);
        var create = await CliProcess.RunAsync(server, ["--user", "alice", "--password", "alice-pw", "create", "/a", "x", "--acl", "auth::cdrwa"]);
        Assert.True(create.ExitCode == 0, create.Error);
        var get = await CliProcess.RunAsync(server, ["--user", "alice", "--password", "alice-pw", "acl", "get", "/a"]);
        Assert.Contains("digest:alice:cdrwa", get.Output);
        Assert.Contains("aclVersion 0", get.Output);

        var anonymous = await CliProcess.RunAsync(server, "get", "/a");
        Assert.Equal(1, anonymous.ExitCode);
        Assert.Contains("NoAuth", anonymous.Error);
        var wrong = await CliProcess.RunAsync(server, "--user", "alice", "--password", "nope", "get", "/a");
        Assert.Contains("login refused", wrong.Error);

        var badVersion = await CliProcess.RunAsync(server, [.. asRoot, "acl", "set", "/a", "world:anyone:r", "--version", "7"]);
        Assert.Contains("BadVersion", badVersion.Error);
        var set = await CliProcess.RunAsync(server, [.. asRoot, "acl", "set", "/a", "world:anyone:r", "--version", "0"]);
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Equal(0, (await CliProcess.RunAsync(server, "get", "/a")).ExitCode);
        var removed = await CliProcess.RunAsync(server, [.. asRoot, "user", "remove", "alice"]);
        Assert.True(removed.ExitCode == 0, removed.Error);
        Assert.Contains("login refused", (await CliProcess.RunAsync(server, "--user", "alice", "--password", "alice-pw", "get", "/a")).Error);
    }

    private static async Task Watch(CoordinatorClient client, string path, bool recursive)
    {
        await using var stream = client.WatchAsync(path, recursive);
        await stream.Registered;
    }

    private static async Task<CoordinatorClient> ConnectEventually(CoordinatorClientOptions options)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await CoordinatorClient.ConnectAsync(options);
            }
            catch (CoordinatorException) when (attempt < 10)
            {
                await Task.Delay(500);
            }
        }
    }
}
