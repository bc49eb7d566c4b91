using Coordinator.Faults.Network;

namespace Coordinator.Faults.Cluster;

/// <summary>
/// The replicas of one run: a configuration file and a SQLite data directory per replica under the run directory,
/// each process started through the run's network (inside its own namespace, or directly on loopback).
/// </summary>
internal sealed class ReplicaCluster : IDisposable
{
    private readonly Dictionary<int, ReplicaNode> _nodes;
    private readonly HashSet<int> _retired = [];

    private ReplicaCluster(IFaultNetwork network, Dictionary<int, ReplicaNode> nodes)
    {
        Network = network;
        _nodes = nodes;
    }

    public IFaultNetwork Network { get; }

    public IReadOnlyList<int> Ids => [.. _nodes.Keys.Order()];

    public ReplicaNode this[int id] => _nodes[id];

    public IReadOnlyList<string> Endpoints => [.. Ids.Select(Endpoint)];

    /// <summary>Replicas that must stay down for the rest of the run (a wiped one); healing and restarts skip them.</summary>
    public IReadOnlySet<int> Retired => _retired;

    /// <param name="extraHocon">Appended to every replica's configuration (a TLS run's certificates).</param>
    public static ReplicaCluster Create(
        IFaultNetwork network, IReadOnlyList<int> ids, string runDirectory, string serviceDll, bool unsafeLocalSync, bool dropReplayedEvent = false,
        string extraHocon = "")
    {
        var replicas = string.Join("\n", ids.Select(id => $"    {id} = \"{network.Endpoint(id)}\""));
        var nodes = new Dictionary<int, ReplicaNode>();
        foreach (var id in ids)
        {
            var dataDirectory = Directory.CreateDirectory(Path.Combine(runDirectory, $"data-{id}")).FullName;
            var configPath = Path.Combine(runDirectory, $"replica-{id}.conf");
            File.WriteAllText(configPath, $$"""
                # Written by the fault harness for one run.
                coordinator {
                  replica.data-dir = "{{dataDirectory}}"
                  replicas {
                {{replicas}}
                  }
                  # Short enough that the ephemeral and lock workloads see sessions end and locks move within a run.
                  state-machine {
                    min-session-timeout = 2s
                    lock-delay = 1s
                  }
                  fault-injection {
                    enabled = on
                    unsafe-local-sync = {{(unsafeLocalSync ? "on" : "off")}}
                    drop-replayed-event = {{(dropReplayedEvent ? "on" : "off")}}
                    {{network.ReplicaFaultInjectionConfig}}
                  }
                }
                {{extraHocon}}
                """);
            var command = network.Launcher(id).Concat(["dotnet", serviceDll, "--config", configPath, "--id", id.ToString()]).ToList();
            nodes[id] = new ReplicaNode(id, command, Path.Combine(runDirectory, $"replica-{id}.log"), dataDirectory);
        }
        return new ReplicaCluster(network, nodes);
    }

    public string Endpoint(int id) => Network.Endpoint(id);

    public void Apply(Cut cut) => Network.Apply(cut, _nodes);

    /// <summary>Kills the replica (if it runs) and keeps it down from now on.</summary>
    public void Retire(int id)
    {
        _retired.Add(id);
        _nodes[id].Kill();
    }

    public void StartAll()
    {
        foreach (var node in Allowed())
        {
            node.Start();
        }
    }

    /// <summary>Everything back to normal: network healed, paused replicas resumed, dead ones restarted (not retired ones).</summary>
    public void Heal()
    {
        Apply(Cut.None);
        foreach (var node in Allowed())
        {
            node.Resume();
            if (!node.Running)
            {
                node.Start();
            }
        }
    }

    public void KillAll()
    {
        foreach (var node in _nodes.Values)
        {
            node.Kill();
        }
    }

    private IEnumerable<ReplicaNode> Allowed() => _nodes.Values.Where(node => !_retired.Contains(node.Id));

    public void Dispose()
    {
        foreach (var node in _nodes.Values)
        {
            node.Dispose();
        }
    }
}
