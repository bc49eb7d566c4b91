using Akka.Actor;
using Akka.Configuration;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;

namespace Coordinator.Bench;

/// <summary>Real replicas in this process (Akka.Remote on 127.0.0.1, one SQLite journal each) for a benchmark run.</summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("coordinator-bench-");
    private readonly List<ReplicaHost> _hosts = [];

    private BenchCluster(int[] ports) => Endpoints = [.. ports.Select(port => $"127.0.0.1:{port}")];

    public IReadOnlyList<string> Endpoints { get; }

    public IReadOnlyList<ReplicaHost> Hosts => _hosts;

    /// <param name="replicaHocon">Extra <c>coordinator.replica</c> settings, e.g. "max-batch-commands = 64".</param>
    public static async Task<BenchCluster> StartAsync(int replicas, string replicaHocon, Func<Config, IReplicatedStateMachine> stateMachine)
    {
        var cluster = new BenchCluster([.. Enumerable.Range(0, replicas).Select(_ => LoopbackPorts.Free())]);
        var replicaSet = string.Join('\n', cluster.Endpoints.Select((endpoint, index) => $"{index + 1} = \"{endpoint}\""));
        foreach (var id in Enumerable.Range(1, replicas))
        {
            var config = ConfigurationFactory.ParseString($$"""
                coordinator {
                  replica { id = {{id}}, data-dir = "{{cluster._directory.FullName}}/r{{id}}", snapshot-interval = 100000 }
                  replica { {{replicaHocon}} }
                  replicas { {{replicaSet}} }
                }
                akka.loglevel = OFF
                akka.stdout-loglevel = OFF
                """);
            cluster._hosts.Add(await ReplicaHost.StartAsync(config, () => stateMachine(config)));
        }
        return cluster;
    }

    public async Task<IActorRef> LeaderAsync()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            foreach (var host in _hosts)
            {
                var status = await host.Replica.Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(5));
                if (status.Role == ProposerRole.Leader)
                {
                    return host.Replica;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("no leader was elected");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.System.Terminate();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }
}
