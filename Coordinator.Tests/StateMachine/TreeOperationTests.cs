using Coordinator.Core.StateMachine;
using static Coordinator.Tests.StateMachine.Harness;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

[Trait("Category", "StateMachine")]
public sealed class TreeOperationTests
{
    private const long S = 11;

    private static Harness WithTree()
    {
        var h = new Harness(StateMachineSettings.Default with { MaxDataBytes = 16, MaxPathLength = 64 });
        h.Open(S);
        h.Do(S, Persistent("/a", "A"));
        h.Do(S, Persistent("/a/b"));
        h.Do(S, new Create("/e", [], NodeKind.Ephemeral));
        return h;
    }

    private static readonly (string Name, Transaction Txn, ErrorCode Expected)[] Table =
    [
        ("create ok", Persistent("/n"), ErrorCode.Ok),
        ("create exists", Persistent("/a"), ErrorCode.NodeExists),
        ("create root", Persistent("/"), ErrorCode.NodeExists),
        ("create no parent", Persistent("/x/y"), ErrorCode.NoNode),
        ("create under ephemeral", Persistent("/e/c"), ErrorCode.NoChildrenForEphemerals),
        ("create sequential under ephemeral", new Create("/e/c", [], NodeKind.PersistentSequential), ErrorCode.NoChildrenForEphemerals),
        ("create parents under ephemeral", new Create("/e/c/d", [], NodeKind.Persistent, CreateParents: true), ErrorCode.NoChildrenForEphemerals),
        ("create bad path", Persistent("/a/"), ErrorCode.InvalidPath),
        ("create dot", Persistent("/a/."), ErrorCode.InvalidPath),
        ("create null path", new Create(null!, [], NodeKind.Persistent), ErrorCode.InvalidPath),
        ("create path too long", Persistent("/" + new string('p', 64)), ErrorCode.InvalidPath),
        ("create data too large", new Create("/big", new byte[17], NodeKind.Persistent), ErrorCode.DataTooLarge),
        ("create data at limit", new Create("/big", new byte[16], NodeKind.Persistent), ErrorCode.Ok),
        ("create null data", new Create("/n", null!, NodeKind.Persistent), ErrorCode.BadArguments),
        ("create unknown kind", new Create("/n", [], (NodeKind)42), ErrorCode.BadArguments),
        ("create ttl missing", new Create("/n", [], NodeKind.PersistentWithTtl), ErrorCode.BadArguments),
        ("create ttl zero", new Create("/n", [], NodeKind.PersistentWithTtl, 0), ErrorCode.BadArguments),
        ("create ttl too long", new Create("/n", [], NodeKind.PersistentWithTtl, long.MaxValue), ErrorCode.BadArguments),
        ("create ttl on ephemeral", new Create("/n", [], NodeKind.Ephemeral, 10), ErrorCode.BadArguments),
        ("create ttl ok", new Create("/n", [], NodeKind.PersistentWithTtl, 10), ErrorCode.Ok),
        ("create sequential trailing slash", new Create("/a/", [], NodeKind.PersistentSequential), ErrorCode.Ok),
        ("delete ok", new Delete("/a/b"), ErrorCode.Ok),
        ("delete versioned ok", new Delete("/a/b", 0), ErrorCode.Ok),
        ("delete no node", new Delete("/zz"), ErrorCode.NoNode),
        ("delete bad version", new Delete("/a/b", 3), ErrorCode.BadVersion),
        ("delete not empty", new Delete("/a"), ErrorCode.NotEmpty),
        ("delete bad version beats not empty", new Delete("/a", 5), ErrorCode.BadVersion),
        ("delete root", new Delete("/"), ErrorCode.BadArguments),
        ("delete bad path", new Delete("a"), ErrorCode.InvalidPath),
        ("set ok", new SetData("/a", Bytes("x")), ErrorCode.Ok),
        ("set versioned ok", new SetData("/a", Bytes("x"), 0), ErrorCode.Ok),
        ("set bad version", new SetData("/a", Bytes("x"), 1), ErrorCode.BadVersion),
        ("set no node", new SetData("/zz", []), ErrorCode.NoNode),
        ("set too large", new SetData("/a", new byte[17]), ErrorCode.DataTooLarge),
        ("set bad path", new SetData("/a//b", []), ErrorCode.InvalidPath),
        ("set root", new SetData("/", Bytes("r")), ErrorCode.Ok),
        ("check ok", new Check("/a", 0), ErrorCode.Ok),
        ("check any", new Check("/a"), ErrorCode.Ok),
        ("check bad version", new Check("/a", 2), ErrorCode.BadVersion),
        ("check no node", new Check("/zz", 0), ErrorCode.NoNode),
        ("check bad path", new Check("", 0), ErrorCode.InvalidPath),
        ("sync", Sync.Instance, ErrorCode.Ok),
        ("tick from client", Tick.Instance, ErrorCode.NotAllowed),
        ("expire from client", new ExpireSession(S), ErrorCode.NotAllowed),
        ("touch from client", new TouchSession(S), ErrorCode.NotAllowed),
        ("multi with sync", new Multi([Sync.Instance]), ErrorCode.BadArguments),
        ("nested multi", new Multi([new Multi([])]), ErrorCode.BadArguments),
        ("null multi", new Multi(null!), ErrorCode.BadArguments),
    ];

    public static TheoryData<string> Cases() => [.. Table.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_op_gets_its_ZooKeeper_code(string name)
    {
        var (_, txn, expected) = Table.Single(c => c.Name == name);
        var h = WithTree();
        var before = h.Machine.Snapshot();
        var result = h.Run(S, txn);
        Assert.True(expected == result.Code, $"{name}: expected {expected}, got {result.Code}");
        if (expected != ErrorCode.Ok)
        {
            Assert.Empty(result.Events);
            AssertSameTreeAndLocks(before, h.Machine.Snapshot());
        }
    }

    [Fact]
    public void Create_fills_the_stat_from_the_slot_and_its_time()
    {
        var h = WithTree();
        h.Time = 5_000_000;
        var created = Assert.IsType<CreatedResult>(h.Do(S, Persistent("/a/c", "hello")));
        var slot = h.Slot;
        Assert.Equal("/a/c", created.Path);
        Assert.Equal(new Stat(slot, slot, 5_000_000, 5_000_000, 0, 0, 0, 5, 0, slot), created.Stat);
        var parent = h.Machine.Exists("/a").Stat;
        Assert.Equal(2, parent.ChildCount);
        Assert.Equal(2, parent.ChildVersion);
        Assert.Equal(slot, parent.ChildrenModifiedSlot);
        Assert.Equal(0, parent.Version);

        h.Time = 6_000_000;
        var set = Assert.IsType<StatResult>(h.Do(S, new SetData("/a/c", Bytes("hi"), 0)));
        Assert.Equal(new Stat(slot, slot + 1, 5_000_000, 6_000_000, 1, 0, 0, 2, 0, slot), set.Stat);
        var read = h.Machine.GetData("/a/c");
        Assert.Equal("hi", System.Text.Encoding.UTF8.GetString(read.Data.Span));
        Assert.Equal(set.Stat, read.Stat);

        Assert.Equal(ErrorCode.Ok, h.Code(S, new Delete("/a/c", 1)));
        Assert.Equal(3, h.Machine.Exists("/a").Stat.ChildVersion);
        Assert.Equal(ErrorCode.NoNode, h.Machine.GetData("/a/c").Code);
    }

    [Fact]
    public void Ephemeral_records_its_owner()
    {
        var h = WithTree();
        Assert.Equal(S, h.Machine.Exists("/e").Stat.EphemeralOwner);
        Assert.Equal(0, h.Machine.Exists("/a").Stat.EphemeralOwner);
        Assert.Equal(["/e"], h.Machine.GetSession(S)!.Ephemerals);
    }

    [Fact]
    public void Sequential_names_use_the_parent_child_version_and_keep_increasing_across_deletes()
    {
        var h = new Harness();
        h.Open(S);
        h.Do(S, Persistent("/q"));
        var first = Assert.IsType<CreatedResult>(h.Do(S, new Create("/q/n-", [], NodeKind.PersistentSequential)));
        var second = Assert.IsType<CreatedResult>(h.Do(S, new Create("/q/n-", [], NodeKind.EphemeralSequential)));
        Assert.Equal("/q/n-0000000000", first.Path);
        Assert.Equal("/q/n-0000000001", second.Path);
        h.Do(S, new Delete(first.Path));
        h.Do(S, new Delete(second.Path));
        var third = Assert.IsType<CreatedResult>(h.Do(S, new Create("/q/n-", [], NodeKind.PersistentSequential)));
        Assert.Equal("/q/n-0000000004", third.Path);
        var bare = Assert.IsType<CreatedResult>(h.Do(S, new Create("/q/", [], NodeKind.PersistentSequential)));
        Assert.Equal("/q/0000000005", bare.Path);
    }

    [Fact]
    public void Create_with_parents_makes_persistent_ancestors_and_their_events()
    {
        var h = WithTree();
        var result = h.Run(S, new Create("/x/y/z", Bytes("d"), NodeKind.Ephemeral, CreateParents: true));
        Assert.Equal("/x/y/z", Assert.IsType<CreatedResult>(result.Result).Path);
        Assert.Equal(NodeKind.Persistent, Kind(h, "/x/y"));
        Assert.Equal(0, h.Machine.Exists("/x/y").Stat.EphemeralOwner);
        Assert.Equal(
            ["+/x", "*/", "+/x/y", "*/x", "+/x/y/z", "*/x/y"],
            result.Events.Select(Describe));
    }

    [Fact]
    public void Watch_events_name_path_and_slot()
    {
        var h = WithTree();
        var created = h.Run(S, Persistent("/a/c"));
        Assert.Equal([new NodeCreated("/a/c", h.Slot), new NodeChildrenChanged("/a", h.Slot)], created.Events);
        var set = h.Run(S, new SetData("/a/c", []));
        Assert.Equal([new NodeDataChanged("/a/c", h.Slot)], set.Events);
        var deleted = h.Run(S, new Delete("/a/c"));
        Assert.Equal([new NodeDeleted("/a/c", h.Slot), new NodeChildrenChanged("/a", h.Slot)], deleted.Events);
    }

    [Fact]
    public void Children_come_back_sorted_ordinally_with_the_parent_stat()
    {
        var h = new Harness();
        h.Open(S);
        h.Do(S, Persistent("/p"));
        foreach (var name in new[] { "b", "B", "a", "aa", "_", "0" })
        {
            h.Do(S, Persistent("/p/" + name));
        }
        var children = h.Machine.GetChildren("/p");
        Assert.Equal(["0", "B", "_", "a", "aa", "b"], children.Children);
        Assert.Equal(6, children.Stat.ChildCount);
        Assert.Equal(ErrorCode.NoNode, h.Machine.GetChildren("/nope").Code);
        Assert.Equal(ErrorCode.InvalidPath, h.Machine.GetChildren("nope").Code);
    }

    [Fact]
    public void Multi_applies_all_with_a_result_per_op()
    {
        var h = WithTree();
        var result = h.Run(S, new Multi([new Check("/a", 0), Persistent("/a/c"), new SetData("/a", Bytes("z")), new Delete("/a/b")]));
        var multi = Assert.IsType<MultiResult>(result.Result);
        Assert.IsType<OkResult>(multi.Results[0]);
        Assert.Equal("/a/c", Assert.IsType<CreatedResult>(multi.Results[1]).Path);
        Assert.Equal(1, Assert.IsType<StatResult>(multi.Results[2]).Stat.Version);
        Assert.IsType<OkResult>(multi.Results[3]);
        Assert.Equal(["c"], h.Machine.GetChildren("/a").Children);
        Assert.Equal(5, result.Events.Count);
    }

    [Fact]
    public void Failed_multi_changes_nothing_and_names_the_failing_op()
    {
        var h = WithTree();
        var before = h.Machine.Snapshot();
        var result = h.Run(S, new Multi([
            Persistent("/a/c"),
            new SetData("/a", Bytes("z")),
            new Delete("/a/b"),
            new Create("/a/s-", [], NodeKind.PersistentSequential),
            new Check("/a", 0),
            Persistent("/never"),
        ]));
        var failed = Assert.IsType<MultiErrorResult>(result.Result);
        Assert.Equal(ErrorCode.BadVersion, failed.Error);
        Assert.Equal(4, failed.FailedIndex);
        Assert.Equal(
            [ErrorCode.Ok, ErrorCode.Ok, ErrorCode.Ok, ErrorCode.Ok, ErrorCode.BadVersion, ErrorCode.RuntimeInconsistency],
            failed.PerOp);
        Assert.Empty(result.Events);
        AssertSameTreeAndLocks(before, h.Machine.Snapshot());
        Assert.Equal("/a/s-0000000001", Assert.IsType<CreatedResult>(h.Do(S, new Create("/a/s-", [], NodeKind.PersistentSequential))).Path);
    }

    [Fact]
    public void Multi_sees_its_own_earlier_ops()
    {
        var h = WithTree();
        var result = h.Do(S, new Multi([Persistent("/m"), Persistent("/m/c"), new Check("/m/c", 0), new Delete("/m/c"), new Delete("/m")]));
        Assert.Equal(5, Assert.IsType<MultiResult>(result).Results.Count);
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/m").Code);
    }

    [Fact]
    public void Container_goes_when_its_last_child_goes_but_not_before_it_had_one()
    {
        var h = WithTree();
        h.Do(S, new Create("/c", [], NodeKind.Container));
        h.Advance(1);
        Assert.Equal(ErrorCode.Ok, h.Machine.Exists("/c").Code);
        h.Do(S, Persistent("/c/x"));
        h.Do(S, Persistent("/c/y"));
        h.Do(S, new Delete("/c/x"));
        Assert.Equal(ErrorCode.Ok, h.Machine.Exists("/c").Code);
        var last = h.Run(S, new Delete("/c/y"));
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/c").Code);
        Assert.Equal(
            ["-/c/y", "*/c", "-/c", "*/"],
            last.Events.Select(Describe));
    }

    [Fact]
    public void Container_emptied_and_refilled_in_one_multi_survives()
    {
        var h = WithTree();
        h.Do(S, new Create("/c", [], NodeKind.Container));
        h.Do(S, Persistent("/c/x"));
        Assert.IsType<MultiResult>(h.Do(S, new Multi([new Delete("/c/x"), Persistent("/c/y")])));
        Assert.Equal(["y"], h.Machine.GetChildren("/c").Children);
    }

    [Fact]
    public void Nested_containers_cascade_and_ephemeral_expiry_reaps_them()
    {
        var h = new Harness();
        h.Open(S);
        h.Do(S, new Create("/c1", [], NodeKind.Container));
        h.Do(S, new Create("/c1/c2", [], NodeKind.Container));
        h.Do(S, new Create("/c1/c2/e", [], NodeKind.Ephemeral));
        h.System(new ExpireSession(S));
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/c1").Code);
        Assert.Equal([], h.Machine.GetChildren("/").Children);
    }

    [Fact]
    public void Ttl_node_goes_once_unmodified_for_its_ttl_and_childless()
    {
        var h = WithTree();
        h.Do(S, new Create("/t", [], NodeKind.PersistentWithTtl, 1_000));
        h.Advance(1_000);
        Assert.Equal(ErrorCode.Ok, h.Machine.Exists("/t").Code);
        h.Do(S, new SetData("/t", Bytes("touch")));
        h.Advance(900);
        h.Do(S, Persistent("/t/child"));
        h.Advance(5_000);
        Assert.Equal(ErrorCode.Ok, h.Machine.Exists("/t").Code);
        var reaped = h.Run(S, new Delete("/t/child"));
        Assert.Equal(ErrorCode.NoNode, h.Machine.Exists("/t").Code);
        Assert.Equal(["-/t/child", "*/t", "-/t", "*/"], reaped.Events.Select(Describe));
    }

    [Fact]
    public void Ttl_lapses_at_the_first_slot_whose_time_passes_the_deadline_even_a_client_slot()
    {
        var h = WithTree();
        h.Do(S, new Create("/t", [], NodeKind.PersistentSequentialWithTtl, 1_000));
        var path = h.Machine.GetChildren("/").Children.Single(c => c.StartsWith('t'));
        h.Time += 1_001;
        var result = h.Run(S, new Check("/a"));
        Assert.Equal(ErrorCode.Ok, result.Code);
        Assert.Contains(new NodeDeleted("/" + path, h.Slot), result.Events);
    }

    internal static void AssertSameTreeAndLocks(byte[] before, byte[] after)
    {
        // The exactly-once entry and last slot/time legitimately move even when a command fails, so compare
        // restored views instead of raw bytes.
        var a = CoordinatorStateMachine.Restore(before);
        var b = CoordinatorStateMachine.Restore(after);
        Assert.Equal(Dump(a), Dump(b));
    }

    internal static string Dump(CoordinatorStateMachine machine)
    {
        var lines = new List<string>();
        Walk("/");
        foreach (var path in machine.LockPaths())
        {
            var info = machine.GetLock(path)!;
            lines.Add($"lock {path} {string.Join(',', info.Holders)} | {string.Join(',', info.Waiters)} | {info.DelayedUntil}");
        }
        lines.Add("token " + machine.LastToken);
        return string.Join('\n', lines);

        void Walk(string path)
        {
            var read = machine.GetData(path);
            lines.Add($"{path} {read.Stat} {Convert.ToHexString(read.Data.Span)}");
            foreach (var child in machine.GetChildren(path).Children)
            {
                Walk(path == "/" ? "/" + child : path + "/" + child);
            }
        }
    }

    private static NodeKind Kind(Harness h, string path) =>
        h.Machine.Exists(path).Stat.EphemeralOwner != 0 ? NodeKind.Ephemeral : NodeKind.Persistent;

    internal static string Describe(StateMachineEvent e) => e switch
    {
        NodeCreated c => "+" + c.Path,
        NodeDeleted d => "-" + d.Path,
        NodeDataChanged d => "=" + d.Path,
        NodeChildrenChanged c => "*" + c.Path,
        _ => e.ToString(),
    };
}
