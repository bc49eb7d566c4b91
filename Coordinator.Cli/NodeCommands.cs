using System.CommandLine;
using System.Text;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>ls, get, set, create, rm, stat: the node tree, one request each.</summary>
internal static class NodeCommands
{
    public static IEnumerable<Command> Create(Func<ParseResult, CliContext> context)
    {
        var path = new Argument<string>("path") { Description = "absolute node path, e.g. /config/app" };

        var ls = new Command("ls", "list the children of a node") { path };
        ls.SetAction((parse, ct) => WithClient(context(parse), ct, async (cli, client) =>
        {
            var children = await client.GetChildrenAsync(parse.GetValue(path)!, cancellationToken: ct);
            cli.Print(string.Join('\n', children), new { path = parse.GetValue(path), children });
            return ExitCodes.Ok;
        }));

        var get = new Command("get", "print a node's data") { path };
        get.SetAction((parse, ct) => WithClient(context(parse), ct, async (cli, client) =>
        {
            var node = await client.GetDataAsync(parse.GetValue(path)!, cancellationToken: ct);
            var text = Encoding.UTF8.GetString(node.Data);
            cli.Print(text, new { path = parse.GetValue(path), data = text, version = node.Stat.Version });
            return ExitCodes.Ok;
        }));

        var data = new Argument<string>("data") { Description = "the data, as UTF-8 text", DefaultValueFactory = _ => "" };
        var version = new Option<int>("--version", "-v") { Description = "only if the node is at this version (compare-and-set)", DefaultValueFactory = _ => -1 };
        var set = new Command("set", "replace a node's data") { path, data, version };
        set.SetAction((parse, ct) => WithClient(context(parse), ct, async (cli, client) =>
        {
            var stat = await client.SetDataAsync(parse.GetValue(path)!, Encoding.UTF8.GetBytes(parse.GetValue(data)!), parse.GetValue(version), ct);
            cli.Print($"version {stat.Version}", new { path = parse.GetValue(path), version = stat.Version });
            return ExitCodes.Ok;
        }));

        var ephemeral = new Option<bool>("--ephemeral", "-e") { Description = "delete the node when this session ends" };
        var sequential = new Option<bool>("--sequential", "-s") { Description = "append a 10-digit increasing suffix" };
        var container = new Option<bool>("--container") { Description = "delete the node when its last child goes" };
        var ttl = new Option<long?>("--ttl") { Description = "delete the node after this many ms without change or children" };
        var parents = new Option<bool>("--parents", "-p") { Description = "create missing parents" };
        var hold = new Option<bool>("--hold") { Description = "keep the session (and its ephemeral nodes) until Ctrl-C" };
        var acl = new Option<string[]>("--acl")
        {
            Description = "the node's ACL, entries as scheme:id:perms (world:anyone:r, digest:alice:cdrwa, auth::cdrwa); the cluster's default without",
            AllowMultipleArgumentsPerToken = true,
        };
        var create = new Command("create", "create a node") { path, data, ephemeral, sequential, container, ttl, parents, hold, acl };
        create.SetAction((parse, ct) => WithClient(context(parse), ct, async (cli, client) =>
        {
            var kind = Kind(parse.GetValue(ephemeral), parse.GetValue(sequential), parse.GetValue(container), parse.GetValue(ttl) is not null);
            var ttlValue = parse.GetValue(ttl) is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            var entries = parse.GetValue(acl) is { Length: > 0 } given ? AclCommand.Parse(given) : null;
            var created = (await client.CreateWithAclAsync(
                parse.GetValue(path)!, Encoding.UTF8.GetBytes(parse.GetValue(data)!), entries, kind, ttlValue, parse.GetValue(parents), ct)).Path;
            cli.Print(created, new { path = created, session = client.SessionId });
            if (parse.GetValue(hold))
            {
                return await HoldUntilCancelled(client, ct);
            }
            return ExitCodes.Ok;
        }));

        var rm = new Command("rm", "delete a node") { path, version };
        rm.SetAction((parse, ct) => WithClient(context(parse), ct, async (cli, client) =>
        {
            await client.DeleteAsync(parse.GetValue(path)!, parse.GetValue(version), ct);
            cli.Print($"deleted {parse.GetValue(path)}", new { path = parse.GetValue(path), deleted = true });
            return ExitCodes.Ok;
        }));

        var stat = new Command("stat", "print a node's metadata") { path };
        stat.SetAction((parse, ct) => WithClient(context(parse), ct, async (cli, client) =>
        {
            if (await client.ExistsAsync(parse.GetValue(path)!, cancellationToken: ct) is not { } s)
            {
                return Failures.Fail(ExitCodes.OperationFailed, $"{parse.GetValue(path)}: no such node");
            }
            cli.Print(
                $"version {s.Version}\nchildVersion {s.ChildVersion}\ncreatedSlot {s.CreatedSlot}\nmodifiedSlot {s.ModifiedSlot}\n" +
                $"created {DateTimeOffset.FromUnixTimeMilliseconds(s.CreatedTime):O}\nmodified {DateTimeOffset.FromUnixTimeMilliseconds(s.ModifiedTime):O}\n" +
                $"ephemeralOwner {s.EphemeralOwner}\ndataLength {s.DataLength}\nchildren {s.ChildCount}",
                new { path = parse.GetValue(path), s.Version, s.ChildVersion, s.CreatedSlot, s.ModifiedSlot, s.CreatedTime, s.ModifiedTime, s.EphemeralOwner, s.DataLength, children = s.ChildCount });
            return ExitCodes.Ok;
        }));

        return [ls, get, set, create, rm, stat];
    }

    /// <summary>Connects, runs the command, closes the session; every failure becomes one line and an exit code.</summary>
    public static Task<int> WithClient(CliContext cli, CancellationToken cancellationToken, Func<CliContext, CoordinatorClient, Task<int>> command) =>
        Failures.Run(cli, async () =>
        {
            await using var client = await cli.ConnectAsync(cancellationToken);
            return await command(cli, client);
        });

    public static async Task<int> HoldUntilCancelled(CoordinatorClient client, CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, change) =>
        {
            if (change.State == ConnectionState.Expired)
            {
                ended.TrySetResult(Failures.Fail(ExitCodes.SessionLost, "the session expired"));
            }
        };
        using var registration = cancellationToken.Register(() => ended.TrySetResult(ExitCodes.Ok));
        return await ended.Task;
    }

    private static NodeKind Kind(bool ephemeral, bool sequential, bool container, bool ttl) => (ephemeral, sequential, container, ttl) switch
    {
        (_, _, true, _) => NodeKind.Container,
        (true, true, _, _) => NodeKind.EphemeralSequential,
        (true, false, _, _) => NodeKind.Ephemeral,
        (false, true, _, true) => NodeKind.PersistentSequentialWithTtl,
        (false, false, _, true) => NodeKind.PersistentWithTtl,
        (false, true, _, _) => NodeKind.PersistentSequential,
        _ => NodeKind.Persistent,
    };
}
