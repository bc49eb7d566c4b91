using System.CommandLine;
using System.Text;
using Coordinator.Client.Recipes;

namespace Coordinator.Cli;

/// <summary>
/// elect NAME -- COMMAND...: campaigns, runs the command only while this process leads (its fencing token in
/// COORDINATOR_FENCING_TOKEN), and resigns when the command ends. Losing leadership kills the command.
/// </summary>
internal static class ElectCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var name = new Argument<string>("name") { Description = "election name" };
        var data = new Option<string>("--data") { Description = "what this candidate tells the others about itself", DefaultValueFactory = _ => Environment.MachineName };
        var command = new Argument<string[]>("command") { Description = "the command to run while leading", Arity = ArgumentArity.OneOrMore };
        var elect = new Command("elect", "run a command only while leading an election") { name, data, command };
        elect.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
        {
            var election = client.Election(parse.GetValue(name)!);
            await using var leadership = await election.CampaignAsync(Encoding.UTF8.GetBytes(parse.GetValue(data)!), ct);
            cli.Print($"leading {election.Name} with fencing token {leadership.FencingToken}", new { election = election.Name, token = leadership.FencingToken });
            var environment = new Dictionary<string, string> { ["COORDINATOR_FENCING_TOKEN"] = leadership.FencingToken.ToString() };
            return await GuardedCommand.RunAsync(parse.GetValue(command)!, environment, leadership.LostToken, ct)
                ?? Failures.Fail(ExitCodes.SessionLost, $"lost the leadership of {election.Name}; the command was stopped");
        }));
        return elect;
    }
}
