using Coordinator.Core.ZooKeeper;
using Coordinator.Tests.Infrastructure;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>
/// Three replicas as real processes, each serving ZooKeeper's protocol on its own free loopback port; disposing kills
/// every process it started (by id) and deletes their directory.
/// </summary>
internal sealed class ZooKeeperProcessCluster : IDisposable
{
    private readonly ProcessCluster _cluster;
    private readonly Dictionary<int, ReplicaProcess> _processes = [];

    // One digest for every replica: the super user's must be the same everywhere. The least PBKDF2 allows: tests log in often.
    private readonly string _superUserDigest = Coordinator.Client.CoordinatorCredentials.Digest(SuperUserPassword, 1000);

    /// <summary>The configured super user, who adds the users addauth tests log in as.</summary>
    public const string SuperUser = "zkadmin";

    public const string SuperUserPassword = "zkadmin-password";

    private ZooKeeperProcessCluster(ProcessCluster cluster, Dictionary<int, string> zooKeeperEndpoints)
    {
        _cluster = cluster;
        ZooKeeperEndpoints = zooKeeperEndpoints;
    }

    /// <summary>Each replica's ZooKeeper "host:port", by replica id.</summary>
    public IReadOnlyDictionary<int, string> ZooKeeperEndpoints { get; }

    /// <summary>ZooKeeper's connect string: every replica's ZooKeeper port.</summary>
    public string ConnectString => string.Join(',', ZooKeeperEndpoints.Values);

    public string Directory => _cluster.Directory;

    /// <summary>Each replica's Akka.Remote "host:port", for Coordinator's own client.</summary>
    public IReadOnlyDictionary<int, string> NativeEndpoints => _cluster.Endpoints;

    public static async Task<ZooKeeperProcessCluster> StartAsync(string name)
    {
        var cluster = ProcessCluster.Create(name, 3);
        var ports = FreePorts.Take(3);
        var endpoints = cluster.Endpoints.Keys.ToDictionary(id => id, id => $"127.0.0.1:{ports[id - 1]}");
        var zk = new ZooKeeperProcessCluster(cluster, endpoints);
        try
        {
            foreach (var id in endpoints.Keys)
            {
                zk.Start(id);
            }
            foreach (var endpoint in endpoints.Values)
            {
                await zk.WaitUntilServingAsync(endpoint, TimeSpan.FromSeconds(90));
            }
            return zk;
        }
        catch
        {
            zk.Dispose();
            throw;
        }
    }

    /// <summary>Starts replica <paramref name="id"/> with the cluster's configuration and its own ZooKeeper port.</summary>
    public void Start(int id)
    {
        var config = Path.Combine(_cluster.Directory, $"replica-{id}.conf");
        File.WriteAllText(config, File.ReadAllText(_cluster.ConfigPath) + $"\ncoordinator.zookeeper.endpoint = \"{ZooKeeperEndpoints[id]}\"\n"
            + $"coordinator.security {{ super-user = \"{SuperUser}\", super-user-digest = \"{_superUserDigest}\" }}\n");
        _processes[id] = ReplicaProcess.Start(config, id, _cluster.Directory);
    }

    /// <summary>SIGKILL.</summary>
    public void Kill(int id) => _processes[id].Kill();

    public string Log(int id) => _processes[id].Log();

    /// <summary>Until a new session can be created through this port (the cluster has a leader and the replica has recovered).</summary>
    public async Task WaitUntilServingAsync(string endpoint, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var connection = await RawZkConnection.OpenAsync(endpoint);
                var (timeout, _, _) = await connection.ConnectAsync();
                if (timeout > 0)
                {
                    await connection.RequestAsync(w => w.Int(1).Int((int)ZkOpCode.CloseSession));
                    return;
                }
            }
            catch (Exception notYet) when (notYet is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                last = notYet;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"ZooKeeper port {endpoint} did not serve a session within {within.TotalSeconds:0} s ({last?.Message})");
    }

    public void Dispose()
    {
        foreach (var process in _processes.Values)
        {
            process.Dispose();
        }
        _processes.Clear();
        _cluster.Dispose();
    }
}
