using System.Diagnostics;
using System.Text;

namespace Coordinator.Tests.Infrastructure;

/// <summary>The built <c>coord</c> tool run as a real process against the given servers.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private CliProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    public static CliProcess Start(string servers, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A loaded CI machine may need longer than the interactive default; tests that probe timeouts pass --timeout.
            Environment = { ["COORDINATOR_SERVERS"] = servers, ["COORDINATOR_TIMEOUT"] = "30" },
        };
        start.ArgumentList.Add(ServiceBinary.CliPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var cli = new CliProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start coord"));
        cli._process.OutputDataReceived += (_, line) => Append(cli._output, line.Data);
        cli._process.ErrorDataReceived += (_, line) => Append(cli._error, line.Data);
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs coord to completion (bounded), returning its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string servers, params string[] arguments)
    {
        using var cli = Start(servers, arguments);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await cli._process.WaitForExitAsync(timeout.Token);
        cli._process.WaitForExit();
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
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }
}
