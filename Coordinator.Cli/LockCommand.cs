using System.CommandLine;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>
/// lock NAME -- COMMAND...: waits for the lock, runs the command while holding it (its fencing token in
/// COORDINATOR_FENCING_TOKEN), releases it when the command ends. If the lock is lost meanwhile the command is
/// killed: it must not go on believing it holds the lock.
/// </summary>
internal static class LockCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var name = new Argument<string>("name") { Description = "lock name (or absolute path)" };
        var shared = new Option<bool>("--shared") { Description = "a shared (reader) lock instead of an exclusive one" };
        var command = new Argument<string[]>("command") { Description = "the command to run while holding the lock", Arity = ArgumentArity.OneOrMore };
        var lockCommand = new Command("lock", "hold a lock while a command runs") { name, shared, command };
        lockCommand.SetAction((parse, ct) => NodeCommands.WithClient(context(parse), ct, async (cli, client) =>
        {
            var path = PathOf(parse.GetValue(name)!);
            var token = await client.AcquireLockAsync(path, parse.GetValue(shared) ? LockMode.Shared : LockMode.Exclusive, wait: true, cancellationToken: ct);
            cli.Print($"acquired {path} with fencing token {token}", new { path, token });
            var exitCode = await RunWhileHeld(client, path, token, parse.GetValue(command)!, ct);
            if (client.State is not (ConnectionState.Expired or ConnectionState.Closed))
            {
                await client.ReleaseLockAsync(path, CancellationToken.None);
            }
            return exitCode;
        }));
        return lockCommand;
    }

    private static async Task<int> RunWhileHeld(CoordinatorClient client, string path, long token, string[] command, CancellationToken cancellationToken)
    {
        using var lost = new CancellationTokenSource();
        client.LockLost += (_, e) =>
        {
            if (e.Path == path)
            {
                lost.Cancel();
            }
        };
        // Disconnected already means the client cannot be sure it still holds the lock: stop before anyone else can get it.
        client.ConnectionStateChanged += (_, e) =>
        {
            if (e.State is ConnectionState.Disconnected or ConnectionState.Expired)
            {
                lost.Cancel();
            }
        };
        var environment = new Dictionary<string, string> { ["COORDINATOR_FENCING_TOKEN"] = token.ToString() };
        return await GuardedCommand.RunAsync(command, environment, lost.Token, cancellationToken)
            ?? Failures.Fail(ExitCodes.SessionLost, $"lost {path} (token {token}); the command was stopped");
    }

    private static string PathOf(string name) => name.StartsWith('/') ? name : $"/locks/{name}";
}
