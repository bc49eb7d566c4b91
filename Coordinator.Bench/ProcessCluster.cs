using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// A local cluster of replicas as real processes of the built service (the Coordinator.Service.dll copied beside this
/// program), each with its own SQLite journal in a temporary directory, or a cluster given by <c>--servers</c>.
/// Killing and measuring processes needs the local kind.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private readonly DirectoryInfo? _directory;
    private readonly List<Process> _processes = [];
    private readonly List<string> _configPaths = [];

    private ProcessCluster(IReadOnlyList<string> endpoints, DirectoryInfo? directory)
    {
        Endpoints = endpoints;
        _directory = directory;
    }

    public IReadOnlyList<string> Endpoints { get; }

    /// <summary>Each local replica's /metrics endpoint (host:port), when started with monitoring; empty otherwise.</summary>
    public IReadOnlyList<string> MonitoringEndpoints { get; private init; } = [];

    public bool IsLocal => _directory is not null;

    /// <summary>TLS and the bench user, with <c>--tls</c> or <c>--auth</c>; null otherwise.</summary>
    public BenchSecurity? Security { get; private init; }

    /// <summary>Options for a bench client of <paramref name="servers"/>: with this cluster's TLS, logged in as the bench user.</summary>
    public CoordinatorClientOptions ClientOptions(IEnumerable<string> servers) =>
        Security?.Options(servers, Security.UserCredentials) ?? new CoordinatorClientOptions { Servers = [.. servers] };

    /// <param name="monitoring">Give each local replica a monitoring port of its own (see <see cref="MonitoringEndpoints"/>).</param>
    public static async Task<ProcessCluster> StartAsync(BenchOptions options, bool monitoring = false)
    {
        if (options.Servers is { Count: > 0 } servers)
        {
            if (options.Tls || options.Auth)
            {
                throw new ArgumentException("--tls and --auth secure the bench's own cluster: omit --servers");
            }
            var given = new ProcessCluster(servers, null);
            await given.WaitForLeaderAsync();
            return given;
        }
        var directory = Directory.CreateTempSubdirectory("coordinator-bench-");
        var endpoints = Enumerable.Range(0, options.Replicas).Select(_ => $"127.0.0.1:{LoopbackPorts.Free()}").ToList();
        var monitoringEndpoints = monitoring ? endpoints.Select(_ => $"127.0.0.1:{LoopbackPorts.Free()}").ToList() : [];
        var security = BenchSecurity.Make(options, directory.FullName, endpoints.Select(endpoint => endpoint[..endpoint.LastIndexOf(':')]));
        var cluster = new ProcessCluster(endpoints, directory) { MonitoringEndpoints = monitoringEndpoints, Security = security };
        var configPath = Path.Combine(directory.FullName, "cluster.conf");
        await File.WriteAllTextAsync(configPath, $$"""
            coordinator {
              replica.data-dir = "{{directory.FullName}}"
              replicas { {{string.Join('\n', endpoints.Select((endpoint, index) => $"{index + 1} = \"{endpoint}\""))}} }
            }
            akka.loglevel = WARNING
            {{options.ReplicaHocon}}
            {{security?.ReplicaHocon}}
            """);
        var service = Path.Combine(AppContext.BaseDirectory, "Coordinator.Service.dll");
        for (var id = 1; id <= endpoints.Count; id++)
        {
            var replicaConfig = configPath;
            if (monitoring)
            {
                replicaConfig = Path.Combine(directory.FullName, $"replica-{id}.conf");
                await File.WriteAllTextAsync(replicaConfig,
                    await File.ReadAllTextAsync(configPath) + $"\ncoordinator.monitoring.http-endpoint = \"{monitoringEndpoints[id - 1]}\"\n");
            }
            cluster._configPaths.Add(replicaConfig);
            cluster._processes.Add(StartReplica(service, replicaConfig, id, directory.FullName));
        }
        await cluster.WaitForLeaderAsync();
        if (security is not null)
        {
            await security.AddUserAsync(endpoints);
        }
        return cluster;
    }

    /// <summary>The index (0-based) of the replica that leads now.</summary>
    public async Task<int> LeaderIndexAsync()
    {
        var reports = await ClusterStatus.QueryAsync(ClientOptions(Endpoints), TimeSpan.FromSeconds(2));
        var leader = reports.FirstOrDefault(report => report.Role == "leader") ?? throw new InvalidOperationException("no replica leads");
        return Endpoints.ToList().IndexOf(leader.Server);
    }

    /// <summary>CPU time one replica process has used so far (user and system), from /proc.</summary>
    public TimeSpan CpuTime(int index)
    {
        // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the parenthesised name.
        var stat = File.ReadAllText($"/proc/{LocalProcess(index).Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>Linux's USER_HZ, 100 on every architecture it runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>SIGKILL: no shutdown hooks, no goodbye to the peers.</summary>
    public void Kill(int index) => LocalProcess(index).Kill();

    /// <summary>Starts a killed replica again, on the journal and snapshots it left.</summary>
    public void Restart(int index)
    {
        var killed = LocalProcess(index);
        if (!killed.HasExited)
        {
            throw new InvalidOperationException($"replica {index + 1} is still running");
        }
        killed.Dispose();
        _processes[index] = StartReplica(Path.Combine(AppContext.BaseDirectory, "Coordinator.Service.dll"), _configPaths[index], index + 1, _directory!.FullName);
    }

    /// <summary>Whether a local replica's log (every run of it) has a line containing <paramref name="text"/>.</summary>
    public bool LogContains(int index, string text) =>
        IsLocal && File.ReadLines(Path.Combine(_directory!.FullName, $"replica-{index + 1}.log")).Any(line => line.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits until a killed replica's process is gone (SIGKILL is asynchronous).</summary>
    public Task WaitForExitAsync(int index) => LocalProcess(index).WaitForExitAsync();

    /// <summary>Resident memory of one replica process (VmRSS), in bytes.</summary>
    public long ResidentBytes(int index)
    {
        var line = File.ReadLines($"/proc/{LocalProcess(index).Id}/status").First(text => text.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
    }

    /// <summary>
    /// The live managed heap of one replica after a full collection, as <c>dotnet-gcdump report</c> measures it (the
    /// figure comparable to a JVM's heap after a full GC); null when that tool is not installed
    /// (<c>dotnet tool install -g dotnet-gcdump</c>).
    /// </summary>
    public async Task<long?> ManagedHeapBytesAsync(int index)
    {
        var tool = new[] { Environment.GetEnvironmentVariable("HOME") + "/.dotnet/tools/dotnet-gcdump" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(directory => Path.Combine(directory, "dotnet-gcdump")))
            .FirstOrDefault(File.Exists);
        if (tool is null)
        {
            return null;
        }
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("report");
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(LocalProcess(index).Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var report = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet-gcdump");
        var output = await report.StandardOutput.ReadToEndAsync();
        await report.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(text => text.TrimEnd().EndsWith("GC Heap bytes", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Trim().Split(' ')[0], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        _directory?.Delete(recursive: true);
    }

    private Process LocalProcess(int index) =>
        IsLocal ? _processes[index] : throw new InvalidOperationException("this workload needs the bench's own cluster (omit --servers)");

    private async Task WaitForLeaderAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            var reports = await ClusterStatus.QueryAsync(ClientOptions(Endpoints), TimeSpan.FromSeconds(2));
            if (reports.All(report => report.Reachable) && reports.Any(report => report.Role == "leader"))
            {
                return;
            }
            if (_processes.FirstOrDefault(process => process.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"a replica exited with code {exited.ExitCode}; its log is in {_directory?.FullName}");
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the cluster elected no leader within 60 s");
    }

    private static Process StartReplica(string service, string configPath, int id, string directory)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in new[] { service, "--config", configPath, "--id", id.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a replica");
        var log = new StreamWriter(Path.Combine(directory, $"replica-{id}.log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, line) => Append(log, line.Data);
        process.ErrorDataReceived += (_, line) => Append(log, line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StreamWriter log, string? line)
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
