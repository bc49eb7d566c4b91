using System.Diagnostics;

namespace Coordinator.Tests.Infrastructure;

/// <summary>
/// A built .NET program run as a real OS process, every output line passed to a sink, stopped by pid (with its
/// own children), and written down in <see cref="ChildPids"/> for CI to stop if the test run itself dies.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ChildProcess StartDotnet(string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string? workingDirectory, Action<string> output, Action<string> error) =>
        Start("dotnet", [dll, .. arguments], environment, workingDirectory, output, error);

    /// <summary>Any executable, e.g. <c>dotnet pack</c> or a tool installed with <c>--tool-path</c>.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string? workingDirectory, Action<string> output, Action<string> error)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        ChildPids.Record(process.Id);
        process.OutputDataReceived += (_, line) => Forward(line.Data, output);
        process.ErrorDataReceived += (_, line) => Forward(line.Data, error);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process);
    }

    public async Task WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        // The parameterless wait also drains the redirected output.
        _process.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown hooks, no goodbyes.</summary>
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

    private static void Forward(string? line, Action<string> sink)
    {
        if (line is not null)
        {
            sink(line);
        }
    }
}
