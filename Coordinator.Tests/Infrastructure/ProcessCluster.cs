namespace Coordinator.Tests.Infrastructure;

/// <summary>
/// Replicas as real processes on free loopback ports, with their configuration and data under one temporary directory;
/// disposing kills every process it started and deletes the directory.
/// </summary>
internal sealed class ProcessCluster : IDisposable
{
    private readonly TempDirectory _directory;
    private readonly List<ReplicaProcess> _processes = [];

    private ProcessCluster(TempDirectory directory, Dictionary<int, string> endpoints, string configPath)
    {
        _directory = directory;
        Endpoints = endpoints;
        ConfigPath = configPath;
    }

    public IReadOnlyDictionary<int, string> Endpoints { get; }

    public string ConfigPath { get; }

    public string Directory => _directory.Path;

    public string DataDirectory => System.IO.Path.Combine(_directory.Path, "data");

    public string Servers => string.Join(',', Endpoints.Values);

    public IReadOnlyList<ReplicaProcess> Processes => _processes;

    /// <summary>Writes the configuration of <paramref name="replicas"/> replicas; starts none.</summary>
    /// <param name="extraHocon">Appended to the configuration, e.g. a storage provider.</param>
    public static ProcessCluster Create(string name, int replicas, string extraHocon = "")
    {
        var directory = new TempDirectory(name);
        var ports = FreePorts.Take(replicas);
        var endpoints = Enumerable.Range(1, replicas).ToDictionary(id => id, id => $"127.0.0.1:{ports[id - 1]}");
        var configPath = System.IO.Path.Combine(directory.Path, "cluster.conf");
        File.WriteAllText(configPath, $$"""
            coordinator {
              replica.data-dir = "{{directory.Path}}/data"
              replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
            }
            {{extraHocon}}
            """);
        return new ProcessCluster(directory, endpoints, configPath);
    }

    public ProcessCluster StartAll(params string[] extraArguments)
    {
        foreach (var id in Endpoints.Keys)
        {
            Start(id, extraArguments);
        }
        return this;
    }

    public ReplicaProcess Start(int id, params string[] extraArguments)
    {
        var process = ReplicaProcess.Start(ConfigPath, id, _directory.Path, extraArguments);
        _processes.Add(process);
        return process;
    }

    public void StopAll()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
        _processes.Clear();
    }

    public void Dispose()
    {
        StopAll();
        _directory.Dispose();
    }
}
