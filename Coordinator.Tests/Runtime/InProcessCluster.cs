using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// Real replicas in one test process: one ActorSystem each, talking over Akka.Remote on 127.0.0.1, each with its own
/// journal (a SQLite file under a temp folder, or a PostgreSQL database).
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("cluster");
    private readonly int[] _ports;
    private readonly Func<int, string> _storage;
    private readonly string _extra;
    private readonly bool _dataTree;
    private readonly Dictionary<long, long> _sequences = [];

    /// <param name="storageFor">HOCON for a replica's storage; SQLite under a temp folder when null.</param>
    /// <param name="dataTree">Run the real data tree (and so the gateway) instead of the key-value test machine.</param>
    public InProcessCluster(int size, Func<int, string>? storageFor = null, string extraHocon = "", bool dataTree = false)
    {
        _dataTree = dataTree;
        _ports = FreePorts.Take(size);
        _storage = storageFor ?? (_ => "coordinator.storage.provider = sqlite");
        _extra = extraHocon;
        Ids = [.. Enumerable.Range(1, size)];
    }

    public int[] Ids { get; }

    public string DataDirectory => _directory.Path;

    public Dictionary<int, ReplicaHost?> Hosts { get; } = [];

    public Dictionary<int, KeyValueStateMachine> Machines { get; } = [];

    public Config ConfigFor(int id)
    {
        var replicas = string.Join('\n', Ids.Select(other => $"    {other} = \"127.0.0.1:{_ports[other - 1]}\""));
        var dataDir = Path.Combine(_directory.Path, $"replica-{id}").Replace("\\", "/");
        return ConfigurationFactory.ParseString($$"""
            {{_extra}}
            coordinator {
              replica {
                id = {{id}}
                data-dir = "{{dataDir}}"
              }
              replicas {
            {{replicas}}
              }
            }
            {{_storage(id)}}
            akka.loglevel = {{Environment.GetEnvironmentVariable("COORDINATOR_TEST_LOGLEVEL") ?? "OFF"}}
            akka.stdout-loglevel = OFF
            akka.remote.log-remote-lifecycle-events = off
            """);
    }

    public async Task StartAsync(int id)
    {
        if (_dataTree)
        {
            var config = ConfigFor(id);
            var host = await ReplicaHost.StartAsync(config, () => new TreeStateMachine(ReplicaSettings.Create(config.WithFallback(ReplicaHost.ReferenceConfig)).StateMachine));
            lock (Hosts)
            {
                Hosts[id] = host;
            }
            return;
        }
        var machine = new KeyValueStateMachine();
        var started = await ReplicaHost.StartAsync(ConfigFor(id), () => machine);
        // Replicas start concurrently (StartAllAsync): the dictionaries are not safe for concurrent writers.
        lock (Hosts)
        {
            Hosts[id] = started;
            Machines[id] = machine;
        }
    }

    public string Endpoint(int id) => $"127.0.0.1:{_ports[id - 1]}";

    public Task StartAllAsync() => Task.WhenAll(Ids.Select(StartAsync));

    /// <summary>Ends a replica's ActorSystem abruptly, without leaving the cluster: as far as its peers can tell, a crash.</summary>
    public async Task KillAsync(int id)
    {
        if (Hosts.GetValueOrDefault(id) is { } host)
        {
            Hosts[id] = null;
            await host.System.Terminate();
        }
    }

    public async Task KillAllAsync()
    {
        foreach (var id in Ids)
        {
            await KillAsync(id);
        }
    }

    public IEnumerable<int> Running => Ids.Where(id => Hosts.GetValueOrDefault(id) is not null);

    /// <summary>
    /// The next command of <paramref name="session"/>. A session's commands must be proposed one at a time, as a
    /// client session does: exactly-once compares each with the session's last applied sequence.
    /// </summary>
    public Command NextCommand(string key, string value, long session = 1)
    {
        lock (_sequences)
        {
            var sequence = _sequences[session] = _sequences.GetValueOrDefault(session) + 1;
            return new Command(session, sequence, Encoding.UTF8.GetBytes($"{key}={value}"));
        }
    }

    /// <summary>Proposes through any running replica, retrying on refusals and timeouts until applied or out of time.</summary>
    public async Task<ProposeResponse> ProposeAsync(Command command, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(30);
        var attempt = 0;
        while (true)
        {
            var running = Running.ToArray();
            if (running.Length > 0)
            {
                var host = Hosts[running[attempt++ % running.Length]]!;
                try
                {
                    var response = await host.Replica.Ask<ProposeResponse>(new ProposeRequest(command), TimeSpan.FromMilliseconds(500));
                    if (response.Status == ProposeStatus.Applied)
                    {
                        return response;
                    }
                }
                catch (Exception failure) when (failure is AskTimeoutException or TaskCanceledException or OperationCanceledException)
                {
                    // The replica is busy electing or was just killed: try the next one.
                }
            }
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{command} was not applied within {limit}.");
            }
            await Task.Delay(50);
        }
    }

    public Task<ReplicaStatus> StatusAsync(int id) =>
        Hosts[id]!.Replica.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(5));

    public async Task<int> WaitForLeaderAsync(TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            foreach (var id in Running.ToArray())
            {
                try
                {
                    if ((await StatusAsync(id)).Role == ProposerRole.Leader)
                    {
                        return id;
                    }
                }
                catch (AskTimeoutException)
                {
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No leader within {within}.");
    }

    /// <summary>Waits until every running replica has applied the same slots, and returns that slot bound.</summary>
    public async Task<long> WaitConvergedAsync(TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var statuses = await Task.WhenAll(Running.Select(StatusAsync));
            var applied = statuses.Select(status => status.AppliedBelow).Distinct().ToArray();
            if (applied.Length == 1 && statuses.All(status => status.KnownChosenBelow == applied[0]))
            {
                return applied[0];
            }
            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"Replicas did not converge within {within}: {string.Join("; ", statuses)}");
            }
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAllAsync();
        _directory.Dispose();
    }
}
