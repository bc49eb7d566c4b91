using System.Diagnostics;

namespace Coordinator.Faults.Cluster;

/// <summary>
/// One replica as a real process of the built service, started through its launcher (its network namespace), its
/// output appended to one log file across restarts. Killed with SIGKILL, paused with SIGSTOP/SIGCONT.
/// </summary>
internal sealed class ReplicaNode : IDisposable
{
    private readonly IReadOnlyList<string> _command;
    private readonly StreamWriter _log;
    /// <summary>The first lines of the current process's output, for judging how it started.</summary>
    private const int StartLines = 200;

    /// <summary>The line a replica prints once its transport applied a command line (the service's <c>TransportBlackhole.AppliedPrefix</c>).</summary>
    public const string AppliedPrefix = "fault-injection applied: ";

    private readonly List<string> _startLines = [];
    /// <summary>How often each command line was confirmed applied, by any process of this replica.</summary>
    private readonly Dictionary<string, int> _applied = [];
    private Process? _process;
    private bool _paused;

    public ReplicaNode(int id, IReadOnlyList<string> command, string logPath, string dataDirectory)
    {
        Id = id;
        DataDirectory = dataDirectory;
        _command = command;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    public int Id { get; }

    /// <summary>Where its journal (<c>replica-&lt;id&gt;.db</c>) and identity file live.</summary>
    public string DataDirectory { get; }

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        Kill();
        var start = new ProcessStartInfo(_command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in _command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        Write($"---- harness: starting replica {Id}: {string.Join(' ', _command)}");
        lock (_startLines)
        {
            _startLines.Clear();
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start replica {Id}");
        process.OutputDataReceived += (_, line) => Output(line.Data);
        process.ErrorDataReceived += (_, line) => Output(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>SIGKILL: no shutdown hooks, no goodbye to peers. A paused replica is resumed first so it dies at once.</summary>
    public void Kill()
    {
        if (_process is not { } process)
        {
            return;
        }
        Resume();
        if (!process.HasExited)
        {
            Write("---- harness: SIGKILL");
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        process.Dispose();
        _process = null;
    }

    /// <summary>
    /// A line on the replica's standard input (its fault-injection commands); a paused replica reads it when resumed,
    /// a dead one never (a restarted replica starts with a healed network).
    /// </summary>
    public void Send(string line)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        Write($"---- harness: {line}");
        try
        {
            process.StandardInput.WriteLine(line);
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // It died between the check and the write; its successor starts healed.
        }
    }

    /// <summary>
    /// <see cref="Send"/>, then waits up to <paramref name="bound"/> for the replica to confirm it applied the line;
    /// a paused or dead replica is not waited for, and one that does not confirm in time is noted in its log.
    /// </summary>
    public void SendConfirmed(string line, TimeSpan bound)
    {
        int before;
        lock (_applied)
        {
            before = _applied.GetValueOrDefault(line);
        }
        Send(line);
        var deadline = Stopwatch.StartNew();
        lock (_applied)
        {
            while (_applied.GetValueOrDefault(line) == before && Running && !_paused && deadline.Elapsed < bound)
            {
                Monitor.Wait(_applied, TimeSpan.FromMilliseconds(50));
            }
            if (_applied.GetValueOrDefault(line) > before || !Running || _paused)
            {
                return;
            }
        }
        Write($"---- harness: not confirmed within {bound.TotalSeconds:F0} s: {line}");
    }

    /// <summary>
    /// Waits up to <paramref name="bound"/> for the current process to exit or to print a line that
    /// <paramref name="settles"/> its fate without an exit; returns its exit code (null while it runs) and the first
    /// lines it printed.
    /// </summary>
    public async Task<(int? ExitCode, IReadOnlyList<string> Lines)> WatchStartAsync(TimeSpan bound, Func<string, bool> settles)
    {
        var process = _process ?? throw new InvalidOperationException($"replica {Id} was not started");
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed < bound && !StartedLines().Any(settles))
        {
            await Task.Delay(100, CancellationToken.None);
        }
        if (process.HasExited)
        {
            // The exit is seen before the last redirected lines are read; this waits for the end of both streams.
            await process.WaitForExitAsync(CancellationToken.None);
        }
        return (process.HasExited ? process.ExitCode : null, StartedLines());
    }

    public void Pause()
    {
        if (_process is { HasExited: false } process && !_paused)
        {
            Write("---- harness: SIGSTOP");
            Signals.Stop(process.Id);
            _paused = true;
        }
    }

    public void Resume()
    {
        if (_process is { HasExited: false } process && _paused)
        {
            Signals.Continue(process.Id);
            Write("---- harness: SIGCONT");
        }
        _paused = false;
    }

    public void Dispose()
    {
        Kill();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private IReadOnlyList<string> StartedLines()
    {
        lock (_startLines)
        {
            return [.. _startLines];
        }
    }

    private void Output(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_startLines)
        {
            if (_startLines.Count < StartLines)
            {
                _startLines.Add(line);
            }
        }
        if (line.StartsWith(AppliedPrefix, StringComparison.Ordinal))
        {
            lock (_applied)
            {
                _applied[line[AppliedPrefix.Length..]] = _applied.GetValueOrDefault(line[AppliedPrefix.Length..]) + 1;
                Monitor.PulseAll(_applied);
            }
        }
        Write(line);
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.WriteLine(line);
        }
    }
}
