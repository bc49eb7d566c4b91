using System.Diagnostics;

namespace Coordinator.Tests.Infrastructure;

/// <summary>One replica as a real operating-system process of the built service, stopped by pid when disposed.</summary>
internal sealed class ReplicaProcess : IDisposable
{
    private readonly Process _process;

    private ReplicaProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public static ReplicaProcess Start(string configPath, int id, string logDirectory)
    {
        var logPath = Path.Combine(logDirectory, $"replica-{id}-{DateTime.UtcNow:HHmmssfff}.log");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { ServiceBinary.Path, "--config", configPath, "--id", id.ToString() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = logDirectory,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the replica process");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ReplicaProcess(process, logPath);
    }

    /// <summary>SIGKILL: no shutdown hooks, no goodbye to peers.</summary>
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

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.WriteLine(line);
        }
    }
}
