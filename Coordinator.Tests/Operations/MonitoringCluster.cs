using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Operations;

/// <summary>
/// Three replica processes, each with its monitoring endpoint on a free loopback port, and an HTTP client for them.
/// Each replica has its own configuration file (they differ only in the monitoring endpoint).
/// </summary>
internal sealed class MonitoringCluster : IDisposable
{
    private readonly TempDirectory _directory;
    private readonly Dictionary<int, ReplicaProcess> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private MonitoringCluster(TempDirectory directory, Dictionary<int, string> endpoints, Dictionary<int, string> monitoring)
    {
        _directory = directory;
        Endpoints = endpoints;
        Monitoring = monitoring;
    }

    public IReadOnlyDictionary<int, string> Endpoints { get; }

    /// <summary>Each replica's monitoring "host:port".</summary>
    public IReadOnlyDictionary<int, string> Monitoring { get; }

    public static async Task<MonitoringCluster> StartAsync(string name)
    {
        var directory = new TempDirectory(name);
        var ports = FreePorts.Take(6);
        var endpoints = Enumerable.Range(1, 3).ToDictionary(id => id, id => $"127.0.0.1:{ports[id - 1]}");
        var monitoring = Enumerable.Range(1, 3).ToDictionary(id => id, id => $"127.0.0.1:{ports[id + 2]}");
        var cluster = new MonitoringCluster(directory, endpoints, monitoring);
        foreach (var id in endpoints.Keys)
        {
            await File.WriteAllTextAsync(cluster.ConfigPath(id), $$"""
                coordinator {
                  replica.data-dir = "{{directory.Path}}/data"
                  replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
                  monitoring.http-endpoint = "{{monitoring[id]}}"
                }
                """);
            cluster.Start(id);
        }
        return cluster;
    }

    public void Start(int id) => _processes[id] = ReplicaProcess.Start(ConfigPath(id), id, _directory.Path);

    public void Kill(int id)
    {
        _processes[id].Dispose();
        _processes.Remove(id);
    }

    public string Log(int id) => _processes.TryGetValue(id, out var process) ? process.Log() : "(not running)";

    public async Task<(int Status, string Body)> GetAsync(int id, string path)
    {
        using var response = await _http.GetAsync($"http://{Monitoring[id]}{path}");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<PrometheusText> ScrapeAsync(int id)
    {
        var (status, body) = await GetAsync(id, "/metrics");
        Assert.Equal(200, status);
        return PrometheusText.Parse(body);
    }

    /// <summary>Polls <c>/health/ready</c> until it answers <paramref name="status"/>; connection failures count as "not yet".</summary>
    public async Task<string> AwaitReadinessAsync(int id, int status, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var (answered, body) = await GetAsync(id, "/health/ready");
                if (answered == status)
                {
                    return body;
                }
                last = $"{answered} {body}";
            }
            catch (Exception unreachable) when (unreachable is HttpRequestException or TaskCanceledException)
            {
                last = unreachable.Message;
            }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"replica {id}'s /health/ready did not answer {status} within {within.TotalSeconds} s; last: {last}\n{Log(id)}");
    }

    private string ConfigPath(int id) => Path.Combine(_directory.Path, $"replica-{id}.conf");

    public void Dispose()
    {
        foreach (var process in _processes.Values)
        {
            process.Dispose();
        }
        _http.Dispose();
        _directory.Dispose();
    }
}
