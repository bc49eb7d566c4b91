using Coordinator.Core.ZooKeeper;
using Coordinator.Tests.Infrastructure;
using Xunit;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>A 3-replica cluster of real processes with their ZooKeeper ports on, shared by the tests of one class.</summary>
public sealed class ZooKeeperClusterFixture : IAsyncLifetime
{
    internal ZooKeeperProcessCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ZooKeeperProcessCluster.StartAsync("zookeeper-clients");

    public Task DisposeAsync()
    {
        Cluster.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Unmodified ZooKeeper clients from Debian against a 3-replica cluster: zkCli, the ZooKeeper 3.8 Java client and
/// python3-kazoo's recipes, and the protocol's refusals (malformed, oversize and unknown-op frames close that
/// connection only; ops that are not served answer UNIMPLEMENTED; a bad password is an expired session).
/// </summary>
[Trait("Category", "ZooKeeper")]
public sealed class ZooKeeperClientTests(ZooKeeperClusterFixture fixture) : IClassFixture<ZooKeeperClusterFixture>
{
    private static readonly TimeSpan ClientTime = TimeSpan.FromSeconds(120);

    private ZooKeeperProcessCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task ZkCli_creates_reads_updates_lists_deletes_and_sees_its_watch_fire()
    {
        var root = $"/cli-{Guid.NewGuid():N}"[..13];
        var commands = Path.Combine(Cluster.Directory, "zkcli-commands.txt");
        await File.WriteAllTextAsync(commands, string.Join('\n',
            $"create {root} hello",
            $"get {root}",
            $"set {root} world",
            $"get -s {root}",
            $"create -e {root}/eph e",
            $"create -s {root}/seq- s",
            $"ls {root}",
            $"get -w {root}",
            $"set {root} again",
            $"delete {root}",
            $"deleteall {root}",
            $"stat {root}",
            "quit") + "\n");
        if (!File.Exists(ExternalClient.ZkCli))
        {
            throw new FileNotFoundException($"{ExternalClient.ZkCli} is missing: install Debian's zookeeper package (.ci/run does)");
        }
        using var cli = ExternalClient.Start("/bin/bash", ["-c", $"exec {ExternalClient.ZkCli} -server {Cluster.ConnectString} < {commands}"], Cluster.Directory);
        await cli.WaitForExitAsync(ClientTime);
        var output = cli.Output;

        Assert.Contains($"Created {root}", output);
        Assert.Contains("hello", output);
        Assert.Contains("dataVersion = 1", output);
        Assert.Contains($"Created {root}/eph", output);
        Assert.Matches($@"Created {root}/seq-\d{{10}}", output);
        Assert.Matches(@"\[eph, seq-\d{10}\]", output);
        Assert.Contains($"WatchedEvent state:SyncConnected type:NodeDataChanged path:{root}", output);
        // delete refuses a node with children; deleteall removes the subtree, and stat then finds nothing.
        Assert.Contains($"Node not empty: {root}", output);
        Assert.Contains($"Node does not exist: {root}", output);
    }

    [Fact]
    public async Task The_Java_client_runs_tree_operations_errors_multi_sync_and_watches()
    {
        using var java = ExternalClient.JavaProbe("basic", Cluster.ConnectString, Cluster.Directory);
        await java.WaitForExitAsync(ClientTime);
        Assert.DoesNotContain(java.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.True(java.ExitCode == 0 && java.Lines.Contains("ALL DONE"), java.Output);
        Assert.Contains("OK failed multi results", java.Lines);
        Assert.Contains("OK persistent recursive watch", java.Lines);
    }

    [Fact]
    public async Task Kazoo_recipes_work_unchanged()
    {
        using var kazoo = ExternalClient.Start(ExternalClient.Python, [ExternalClient.Source("kazoo_recipes.py"), Cluster.ConnectString], Cluster.Directory);
        await kazoo.WaitForExitAsync(ClientTime);
        Assert.DoesNotContain(kazoo.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.True(kazoo.ExitCode == 0 && kazoo.Lines.Contains("ALL DONE"), kazoo.Output);
        foreach (var recipe in new[] { "lock hands over", "write lock after readers", "semaphore lease freed", "election order", "barrier",
                     "double barrier", "counter", "queue order", "locking queue", "party", "tree cache update" })
        {
            Assert.Contains($"OK {recipe}", kazoo.Lines);
        }
    }

    /// <summary>Issue 19: an ACL given at create is the node's, setACL changes it with its version, as ZooKeeper does.</summary>
    [Fact]
    public async Task Kazoo_creates_with_acls_and_sets_them_with_zookeepers_error_codes()
    {
        using var kazoo = ExternalClient.Start(ExternalClient.Python, [ExternalClient.Source("kazoo_acls.py"), Cluster.ConnectString], Cluster.Directory);
        await kazoo.WaitForExitAsync(ClientTime);
        Assert.DoesNotContain(kazoo.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.True(kazoo.ExitCode == 0 && kazoo.Lines.Contains("ALL DONE"), kazoo.Output);
        Assert.Equal(12, kazoo.Lines.Count(line => line.StartsWith("OK ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Issue 19: addauth digest user:password logs a ZooKeeper session in as a user of the cluster, so the node only that
    /// user may read answers it, and auth at create stands for it; a wrong password is AUTHFAILED and closes the connection.
    /// </summary>
    [Fact]
    public async Task Kazoo_addauth_logs_a_session_in_and_a_wrong_password_is_auth_failed()
    {
        var path = $"/zk-auth-{Guid.NewGuid():N}"[..17];
        var admin = new Coordinator.Client.CoordinatorCredentials(ZooKeeperProcessCluster.SuperUser, ZooKeeperProcessCluster.SuperUserPassword);
        await using (var native = await Coordinator.Client.CoordinatorClient.ConnectAsync(
            new Coordinator.Client.CoordinatorClientOptions { Servers = [Cluster.NativeEndpoints[1]], Credentials = admin }))
        {
            await native.SetUserAsync("zkalice", "alice-password");
            await native.CreateWithAclAsync(path, "alice's"u8.ToArray(), [Coordinator.Client.AclEntry.ForUser("zkalice", Coordinator.Client.Permissions.All)]);
        }
        // A replica knows of the user once it applied the add: wait until each takes the login.
        foreach (var endpoint in Cluster.NativeEndpoints.Values)
        {
            await Coordinator.Faults.Workloads.WorkloadContext.PersistAsync($"alice at {endpoint}", TimeSpan.FromSeconds(30), async ct =>
            {
                await using var alice = await Coordinator.Client.CoordinatorClient.ConnectAsync(new Coordinator.Client.CoordinatorClientOptions
                {
                    Servers = [endpoint], Credentials = new("zkalice", "alice-password"),
                }, ct);
                return true;
            }, CancellationToken.None);
        }

        using var kazoo = ExternalClient.Start(
            ExternalClient.Python, [ExternalClient.Source("kazoo_auth.py"), Cluster.ConnectString, path, "zkalice:alice-password"], Cluster.Directory);
        await kazoo.WaitForExitAsync(ClientTime);
        Assert.DoesNotContain(kazoo.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.True(kazoo.ExitCode == 0 && kazoo.Lines.Contains("ALL DONE"), kazoo.Output);
        Assert.Equal(6, kazoo.Lines.Count(line => line.StartsWith("OK ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_malformed_frame_closes_its_connection_only()
    {
        var endpoint = Cluster.ZooKeeperEndpoints[1];
        using var healthy = await RawZkConnection.OpenAsync(endpoint);
        Assert.True((await healthy.ConnectAsync()).TimeoutMs > 0);

        using var bad = await RawZkConnection.OpenAsync(endpoint);
        Assert.True((await bad.ConnectAsync()).TimeoutMs > 0);
        // A getData whose path claims 1000 bytes in a 12-byte record.
        await bad.SendAsync(new JuteWriter().Int(1).Int((int)ZkOpCode.GetData).Int(1000).ToFrame());
        Assert.True(await bad.ClosedByServerAsync(TimeSpan.FromSeconds(10)));

        var (xid, _, err, _) = await healthy.RequestAsync(w => w.Int(7).Int((int)ZkOpCode.Exists).String("/").Bool(false));
        Assert.Equal((7, 0), (xid, err));
    }

    [Fact]
    public async Task An_oversize_frame_or_an_unknown_op_code_closes_the_connection()
    {
        var endpoint = Cluster.ZooKeeperEndpoints[2];
        using var oversize = await RawZkConnection.OpenAsync(endpoint);
        Assert.True((await oversize.ConnectAsync()).TimeoutMs > 0);
        await oversize.SendAsync([0x00, 0x10, 0x00, 0x00]);
        Assert.True(await oversize.ClosedByServerAsync(TimeSpan.FromSeconds(10)));

        using var oversizeConnect = await RawZkConnection.OpenAsync(endpoint);
        await oversizeConnect.SendAsync([0x7f, 0xff, 0xff, 0xff]);
        Assert.True(await oversizeConnect.ClosedByServerAsync(TimeSpan.FromSeconds(10)));

        using var unknown = await RawZkConnection.OpenAsync(endpoint);
        Assert.True((await unknown.ConnectAsync()).TimeoutMs > 0);
        await unknown.SendAsync(new JuteWriter().Int(1).Int(77).String("/").ToFrame());
        Assert.True(await unknown.ClosedByServerAsync(TimeSpan.FromSeconds(10)));

        await Cluster.WaitUntilServingAsync(endpoint, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_op_that_is_not_served_answers_UNIMPLEMENTED_and_the_connection_goes_on()
    {
        using var connection = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[3]);
        Assert.True((await connection.ConnectAsync()).TimeoutMs > 0);
        var reconfig = await connection.RequestAsync(w => w.Int(3).Int((int)ZkOpCode.Reconfig).String("").String("").String("").Long(-1));
        Assert.Equal((3, (int)ZkError.Unimplemented), (reconfig.Xid, reconfig.Err));
        var removeWatches = await connection.RequestAsync(w => w.Int(4).Int((int)ZkOpCode.RemoveWatches).String("/").Int(1));
        Assert.Equal((4, (int)ZkError.Unimplemented), (removeWatches.Xid, removeWatches.Err));
        var exists = await connection.RequestAsync(w => w.Int(5).Int((int)ZkOpCode.Exists).String("/").Bool(false));
        Assert.Equal((5, 0), (exists.Xid, exists.Err));
    }

    [Fact]
    public async Task Ruok_is_answered_imok_and_other_four_letter_words_close_the_connection()
    {
        using var ruok = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[1]);
        await ruok.SendAsync("ruok"u8.ToArray());
        Assert.Equal("imok", await ruok.ReadTextUntilClosedAsync(TimeSpan.FromSeconds(10)));

        using var dump = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[1]);
        await dump.SendAsync("dump"u8.ToArray());
        Assert.Equal("", await dump.ReadTextUntilClosedAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_session_reattaches_on_another_replica_with_its_password_and_a_wrong_one_is_expired()
    {
        using var first = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[1]);
        var (timeout, session, password) = await first.ConnectAsync();
        Assert.True(timeout > 0);
        var path = $"/raw-{Guid.NewGuid():N}"[..13];
        var created = await first.RequestAsync(w => w.Int(1).Int((int)ZkOpCode.Create).String(path).Buffer([]).Int(1).Int(31).String("world").String("anyone").Int((int)Coordinator.Client.NodeKind.Ephemeral));
        Assert.Equal(0, created.Err);
        first.Dispose();

        using var wrong = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[2]);
        var tampered = (byte[])password.Clone();
        tampered[0] ^= 0xff;
        Assert.Equal(0, (await wrong.ConnectAsync(session, tampered, created.Zxid)).TimeoutMs);
        Assert.True(await wrong.ClosedByServerAsync(TimeSpan.FromSeconds(10)));

        using var moved = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[2]);
        var reattached = await moved.ConnectAsync(session, password, created.Zxid);
        Assert.Equal(session, reattached.SessionId);
        Assert.True(reattached.TimeoutMs > 0);
        // The ephemeral is still the session's; deleting it is a write of the moved session.
        var deleted = await moved.RequestAsync(w => w.Int(2).Int((int)ZkOpCode.Delete).String(path).Int(-1));
        Assert.Equal((2, 0), (deleted.Xid, deleted.Err));
        Assert.True(deleted.Zxid > created.Zxid);
    }

    [Fact]
    public async Task A_session_whose_client_went_silent_expires_with_its_ephemerals_and_a_reconnect_hears_it_expired()
    {
        using var owner = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[3]);
        var (timeout, session, password) = await owner.ConnectAsync(timeoutMs: 1000);
        Assert.Equal(4000, timeout);
        var path = $"/gone-{Guid.NewGuid():N}"[..14];
        var created = await owner.RequestAsync(w => w.Int(1).Int((int)ZkOpCode.Create).String(path).Buffer([]).Int(1).Int(31).String("world").String("anyone").Int((int)Coordinator.Client.NodeKind.Ephemeral));
        Assert.Equal(0, created.Err);
        owner.Dispose();

        using var observer = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[1]);
        Assert.True((await observer.ConnectAsync(lastZxidSeen: created.Zxid)).TimeoutMs > 0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int err;
        do
        {
            await Task.Delay(500);
            err = (await observer.RequestAsync(w => w.Int(2).Int((int)ZkOpCode.Exists).String(path).Bool(false))).Err;
        }
        while (err == 0 && DateTime.UtcNow < deadline);
        Assert.Equal((int)ZkError.NoNode, err);

        using var late = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[2]);
        Assert.Equal(0, (await late.ConnectAsync(session, password, created.Zxid)).TimeoutMs);
        Assert.True(await late.ClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order_and_a_read_after_a_write_sees_it()
    {
        using var connection = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[2]);
        Assert.True((await connection.ConnectAsync()).TimeoutMs > 0);
        var path = $"/pipe-{Guid.NewGuid():N}"[..14];
        var frames = new List<byte[]>
        {
            new JuteWriter().Int(1).Int((int)ZkOpCode.Create).String(path).Buffer("a"u8).Int(1).Int(31).String("world").String("anyone").Int(0).ToFrame(),
        };
        for (var xid = 2; xid <= 6; xid++)
        {
            frames.Add(new JuteWriter().Int(xid).Int((int)ZkOpCode.GetData).String(path).Bool(false).ToFrame());
        }
        frames.Add(new JuteWriter().Int(7).Int((int)ZkOpCode.SetData).String(path).Buffer("b"u8).Int(0).ToFrame());
        frames.Add(new JuteWriter().Int(8).Int((int)ZkOpCode.GetData).String(path).Bool(false).ToFrame());
        frames.Add(new JuteWriter().Int(9).Int((int)ZkOpCode.Exists).String(path + "/none").Bool(false).ToFrame());
        await connection.SendAsync([.. frames.SelectMany(frame => frame)]);

        var replies = new List<(int Xid, long Zxid, int Err, byte[] Record)>();
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = await connection.ReceiveAsync() ?? throw new IOException("closed");
            var reader = new JuteReader(frame);
            replies.Add((reader.ReadInt(), reader.ReadLong(), reader.ReadInt(), frame[16..]));
        }
        Assert.Equal(Enumerable.Range(1, 9), replies.Select(reply => reply.Xid));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, (int)ZkError.NoNode], replies.Select(reply => reply.Err));
        Assert.All(replies.Skip(1).Take(5), reply => Assert.Equal("a", DataOf(reply.Record)));
        Assert.Equal("b", DataOf(replies[7].Record));
        Assert.True(replies[7].Zxid >= replies[6].Zxid);
    }

    /// <summary>Issue 19: a ZooKeeper session is anonymous, so a node only alice may touch answers it NOAUTH (-102).</summary>
    [Fact]
    public async Task A_node_whose_acl_excludes_anonymous_sessions_answers_zookeeper_requests_noauth_and_stays_unchanged()
    {
        var path = $"/acl-{Guid.NewGuid():N}"[..13];
        await using (var native = await Coordinator.Client.CoordinatorClient.ConnectAsync(new Coordinator.Client.CoordinatorClientOptions { Servers = [Cluster.NativeEndpoints[1]] }))
        {
            await native.CreateWithAclAsync(path, "a"u8.ToArray(), [Coordinator.Client.AclEntry.ForUser("alice", Coordinator.Client.Permissions.All)]);
        }
        using var connection = await RawZkConnection.OpenAsync(Cluster.ZooKeeperEndpoints[1]);
        Assert.True((await connection.ConnectAsync()).TimeoutMs > 0);
        var read = await connection.RequestAsync(w => w.Int(1).Int((int)ZkOpCode.GetData).String(path).Bool(false));
        Assert.Equal((int)ZkError.NoAuth, read.Err);
        var write = await connection.RequestAsync(w => w.Int(2).Int((int)ZkOpCode.SetData).String(path).Buffer("b"u8).Int(-1));
        Assert.Equal((int)ZkError.NoAuth, write.Err);
        var child = await connection.RequestAsync(w => w.Int(3).Int((int)ZkOpCode.Create).String(path + "/c").Buffer("c"u8)
            .Int(1).Int(31).String("world").String("anyone").Int(0));
        Assert.Equal((int)ZkError.NoAuth, child.Err);
        var acl = await connection.RequestAsync(w => w.Int(4).Int((int)ZkOpCode.GetAcl).String(path));
        Assert.Equal((int)ZkError.NoAuth, acl.Err);

        var open = await connection.RequestAsync(w => w.Int(5).Int((int)ZkOpCode.GetAcl).String("/"));
        Assert.Equal(0, open.Err);
        var reader = new JuteReader(open.Record);
        Assert.Equal((1, 31, "world", "anyone"), (reader.ReadInt(), reader.ReadInt(), reader.ReadString(), reader.ReadString()));
    }

    private static string DataOf(byte[] getDataResponse)
    {
        var reader = new JuteReader(getDataResponse);
        return System.Text.Encoding.UTF8.GetString(reader.ReadBuffer());
    }
}
