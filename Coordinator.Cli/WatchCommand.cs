using System.CommandLine;

namespace Coordinator.Cli;

/// <summary>watch: streams every change of a node (and with -r, of its subtree) until Ctrl-C.</summary>
internal static class WatchCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var path = new Argument<string>("path") { Description = "the node to watch" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "also every node below it" };
        var watch = new Command("watch", "print changes as they happen, until Ctrl-C") { path, recursive };
        watch.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
        {
            try
            {
                await foreach (var change in client.WatchAsync(parse.GetValue(path)!, parse.GetValue(recursive), ct))
                {
                    cli.Print($"{change.Type} {change.Path} (slot {change.Slot})", new { type = change.Type.ToString(), path = change.Path, slot = change.Slot });
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            return ExitCodes.Ok;
        }));
        return watch;
    }
}
