using System.Collections.Concurrent;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>
/// A real ZooKeeper client program (zkCli, the Java client, kazoo) run as a process, its output lines collected;
/// disposing kills it by id if it is still running.
/// </summary>
internal sealed class ExternalClient : IDisposable
{
    public const string Java = "/usr/bin/java";

    /// <summary>Debian's python3-kazoo is importable by the system interpreter only, not a pyenv python3 on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    public const string ZkCli = "/usr/share/zookeeper/bin/zkCli.sh";

    /// <summary>The ZooKeeper 3.8 client jar from libzookeeper-java; its manifest names the jars it needs.</summary>
    public const string ZooKeeperJar = "/usr/share/java/zookeeper.jar";

    private readonly ChildProcess _process;
    private readonly ConcurrentQueue<string> _lines;

    private ExternalClient(ChildProcess process, ConcurrentQueue<string> lines)
    {
        _process = process;
        _lines = lines;
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Output => string.Join('\n', _lines);

    public int ExitCode => _process.ExitCode;

    /// <summary>The sources beside this file (the Java probe, the kazoo script).</summary>
    public static string Source(string file) => Path.Combine(ServiceBinary.RepositoryRoot, "Coordinator.Tests", "ZooKeeper", file);

    public static ExternalClient Start(string program, IEnumerable<string> arguments, string workingDirectory)
    {
        if (!File.Exists(program))
        {
            throw new FileNotFoundException(
                $"{program} is missing: install Debian's zookeeper, libzookeeper-java and python3-kazoo (.ci/run does)", program);
        }
        var lines = new ConcurrentQueue<string>();
        var process = ChildProcess.Start(program, arguments, new Dictionary<string, string>(), workingDirectory, lines.Enqueue, lines.Enqueue);
        return new ExternalClient(process, lines);
    }

    public static ExternalClient JavaProbe(string mode, string hosts, string directory, params string[] more) =>
        Start(Java, ["-cp", ZooKeeperJar, Source("ZkProbe.java"), mode, hosts, .. more], directory);

    public async Task<string?> WaitForLineAsync(string prefix, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }
            if (_process.HasExited)
            {
                break;
            }
            await Task.Delay(50);
        }
        return _lines.FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>Waits for the program to end; its exit code then tells.</summary>
    public Task WaitForExitAsync(TimeSpan within) => _process.WaitForExitAsync(within);

    public void Dispose() => _process.Dispose();
}
