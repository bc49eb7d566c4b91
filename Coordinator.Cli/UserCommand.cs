using System.CommandLine;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>
/// user add|passwd|remove NAME (the super user only, logged in with --user/--password) and user digest, which prints
/// the digest coordinator.security.super-user-digest takes.
/// </summary>
internal static class UserCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var name = new Argument<string>("name") { Description = "the user's name" };
        var secret = new Argument<string>("new-password") { Description = "the user's password (or - to read it from the first line of stdin)" };

        Command Setter(string verb, string description)
        {
            var command = new Command(verb, description) { name, secret };
            command.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
            {
                await client.SetUserAsync(parse.GetValue(name)!, ReadSecret(parse.GetValue(secret)!), ct);
                cli.Print($"user {parse.GetValue(name)} set", new { user = parse.GetValue(name), set = true });
                return ExitCodes.Ok;
            }));
            return command;
        }

        var remove = new Command("remove", "remove a user") { name };
        remove.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
        {
            await client.RemoveUserAsync(parse.GetValue(name)!, ct);
            cli.Print($"user {parse.GetValue(name)} removed", new { user = parse.GetValue(name), removed = true });
            return ExitCodes.Ok;
        }));

        var password = new Argument<string>("password") { Description = "the password (or - to read it from the first line of stdin)" };
        var iterations = new Option<int>("--iterations") { Description = "PBKDF2 iterations", DefaultValueFactory = _ => 100_000 };
        var digest = new Command("digest", "print a password digest for coordinator.security.super-user-digest") { password, iterations };
        digest.SetAction(parse =>
        {
            Console.WriteLine(CoordinatorCredentials.Digest(ReadSecret(parse.GetValue(password)!), parse.GetValue(iterations)));
            return ExitCodes.Ok;
        });

        return new Command("user", "manage users (the super user only)")
        {
            Setter("add", "add a user"), Setter("passwd", "change a user's password"), remove, digest,
        };
    }

    private static string ReadSecret(string given) => given == "-" ? Console.In.ReadLine() ?? "" : given;
}
