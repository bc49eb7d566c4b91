using System.Net;
using System.Net.Sockets;
using Coordinator.Faults.Cluster;

namespace Coordinator.Faults.Network;

/// <summary>
/// The fallback where network namespaces are unavailable (no root, no nft): replicas and clients on 127.0.0.1, each
/// replica's transport wrapped in Akka's throttler (<c>coordinator.fault-injection.transport-blackhole</c>) and told
/// on its standard input which endpoints to blackhole. Unlike nft rules this drops whole messages above TCP, and a
/// replica cut off from clients drops every non-replica system, but the partitions the schedule asks for are the same.
/// </summary>
internal sealed class TransportNetwork : IFaultNetwork
{
    private const string Loopback = "127.0.0.1";
    private static readonly TimeSpan ConfirmBound = TimeSpan.FromSeconds(15);
    private readonly Dictionary<int, int> _ports;

    private TransportNetwork(Dictionary<int, int> ports) => _ports = ports;

    public string Description => $"loopback, cuts by the replicas' transport (ports {string.Join(", ", _ports.Values)})";

    public string ClientHost => Loopback;

    public string ClientAkkaConfig => "akka.remote.dot-netty.tcp.applied-adapters = [\"trttl\"]";

    public string ReplicaFaultInjectionConfig => "transport-blackhole = on";

    public static TransportNetwork Create(IReadOnlyList<int> replicas) => new(replicas.ToDictionary(id => id, _ => FreePort()));

    public string Endpoint(int id) => $"{Loopback}:{_ports[id]}";

    public IReadOnlyList<string> Launcher(int id) => [];

    /// <summary>
    /// Tells every replica its part of the cut and waits until each running one confirms it, so the cut holds when
    /// this returns (a paused replica reads it when resumed; the harness does not wait for that).
    /// </summary>
    public void Apply(Cut cut, IReadOnlyDictionary<int, ReplicaNode> replicas)
    {
        Parallel.ForEach(replicas, pair =>
        {
            var (id, node) = pair;
            var peers = replicas.Keys.Where(other => other != id && cut.Drops(id, other)).Select(Endpoint);
            var clients = cut.IsolatedFromClients.Contains(id) ? ["clients"] : Array.Empty<string>();
            node.SendConfirmed(string.Join(' ', ["blackhole", .. clients, .. peers]), ConfirmBound);
        });
    }

    public void Dispose()
    {
        // Nothing outside the replica processes, which the cluster stops.
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
