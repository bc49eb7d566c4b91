using System.Diagnostics;
using System.Text;

namespace Coordinator.Tests.Infrastructure;

/// <summary>The built <c>coord</c> tool run as a real process against the given servers.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private ChildProcess _process = null!;

    public int Pid => _process.Pid;

    public string Output => Read(_output);

    public string Error => Read(_error);

    public static CliProcess Start(string servers, IEnumerable<string> arguments)
    {
        var cli = new CliProcess();
        // A loaded CI machine may need longer than the interactive default; tests that probe timeouts pass --timeout.
        var environment = new Dictionary<string, string> { ["COORDINATOR_SERVERS"] = servers, ["COORDINATOR_TIMEOUT"] = "30" };
        cli._process = ChildProcess.StartDotnet(ServiceBinary.CliPath, arguments, environment, null, line => Append(cli._output, line), line => Append(cli._error, line));
        return cli;
    }

    /// <summary>Runs coord to completion (bounded), returning its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string servers, params string[] arguments)
    {
        using var cli = Start(servers, arguments);
        await cli._process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (cli._process.ExitCode, cli.Output.TrimEnd(), cli.Error.TrimEnd());
    }

    public async Task WaitForOutputAsync(string text, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text))
        {
            if (deadline.Elapsed > within || _process.HasExited)
            {
                throw new TimeoutException($"coord never printed '{text}'; output: {Output} {Error}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: the session is left to expire on the server.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();

    private static void Append(StringBuilder buffer, string line)
    {
        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}
