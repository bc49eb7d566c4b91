using System.Diagnostics;

namespace Coordinator.Cli;

/// <summary>Runs a command for as long as something is held (a lock, a leadership), and kills it the moment it is not.</summary>
internal static class GuardedCommand
{
    /// <returns>The command's exit code, or null when <paramref name="lost"/> fired and the command was killed.</returns>
    public static async Task<int?> RunAsync(string[] command, IReadOnlyDictionary<string, string> environment, CancellationToken lost, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command[0]);
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        using var either = CancellationTokenSource.CreateLinkedTokenSource(lost, cancellationToken);
        try
        {
            await child.WaitForExitAsync(either.Token);
            return child.ExitCode;
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            return lost.IsCancellationRequested ? null : ExitCodes.Ok;
        }
    }
}
