namespace Coordinator.Tests.Infrastructure;

/// <summary>One replica as a real operating-system process of the built service, its output in a log file.</summary>
internal sealed class ReplicaProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly StreamWriter _log;

    private ReplicaProcess(ChildProcess process, StreamWriter log, string logPath)
    {
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public string LogPath { get; }

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    /// <param name="extraArguments">Passed after <c>--config FILE --id N</c>, e.g. <c>--restore BACKUP</c>.</param>
    public static ReplicaProcess Start(string configPath, int id, string logDirectory, IEnumerable<string>? extraArguments = null)
    {
        var logPath = Path.Combine(logDirectory, $"replica-{id}-{DateTime.UtcNow:HHmmssfff}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        void Write(string line)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
        var process = ChildProcess.StartDotnet(ServiceBinary.Path, ["--config", configPath, "--id", id.ToString(), .. extraArguments ?? []], new Dictionary<string, string>(), logDirectory, Write, Write);
        return new ReplicaProcess(process, log, logPath);
    }

    public int ExitCode => _process.ExitCode;

    public Task WaitForExitAsync(TimeSpan within) => _process.WaitForExitAsync(within);

    public string Log()
    {
        lock (_log)
        {
            _log.Flush();
        }
        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd();
    }

    /// <summary>SIGKILL: no shutdown hooks, no goodbye to peers.</summary>
    public void Kill() => _process.Kill();

    public void Dispose()
    {
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}
