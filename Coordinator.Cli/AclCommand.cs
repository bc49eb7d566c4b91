using System.CommandLine;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>acl get PATH, acl set PATH ENTRY...: a node's ACL in ZooKeeper's text form (scheme:id:perms).</summary>
internal static class AclCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var path = new Argument<string>("path") { Description = "absolute node path" };

        var get = new Command("get", "print a node's ACL, one entry a line, and its ACL version") { path };
        get.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
        {
            var acl = await client.GetAclAsync(parse.GetValue(path)!, ct);
            cli.Print(
                string.Join('\n', acl.Acl.Select(entry => entry.ToString())) + $"\naclVersion {acl.AclVersion}",
                new { path = parse.GetValue(path), acl = acl.Acl.Select(entry => entry.ToString()).ToArray(), aclVersion = acl.AclVersion });
            return ExitCodes.Ok;
        }));

        var entries = new Argument<string[]>("entries")
        {
            Description = "the new ACL: scheme:id:perms entries (world:anyone:r, digest:alice:cdrwa, auth::cdrwa)",
            Arity = ArgumentArity.OneOrMore,
        };
        var version = new Option<int>("--version", "-v") { Description = "only if the node's ACL is at this version", DefaultValueFactory = _ => -1 };
        var set = new Command("set", "replace a node's ACL (needs ADMIN on it)") { path, entries, version };
        set.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
        {
            var aclVersion = await client.SetAclAsync(parse.GetValue(path)!, Parse(parse.GetValue(entries)!), parse.GetValue(version), ct);
            cli.Print($"aclVersion {aclVersion}", new { path = parse.GetValue(path), aclVersion });
            return ExitCodes.Ok;
        }));

        return new Command("acl", "read or replace a node's ACL") { get, set };
    }

    /// <exception cref="FormatException">An entry is not scheme:id:perms.</exception>
    public static AclEntry[] Parse(IEnumerable<string> entries) =>
        [.. entries.SelectMany(entry => entry.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(AclEntry.Parse)];
}
