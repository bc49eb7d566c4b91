using Coordinator.Faults.Cluster;

namespace Coordinator.Faults.Network;

/// <summary>
/// Where a run's replicas listen and how the harness cuts links between them and to the clients: real packets
/// dropped in network namespaces (<see cref="NamespaceNetwork"/>), or messages dropped by each replica's own
/// transport on loopback (<see cref="TransportNetwork"/>).
/// </summary>
internal interface IFaultNetwork : IDisposable
{
    /// <summary>How cuts are made, for the run's log.</summary>
    string Description { get; }

    /// <summary>The address clients bind to and replicas answer to.</summary>
    string ClientHost { get; }

    /// <summary>Extra HOCON for the clients' ActorSystem (their transport must match the replicas').</summary>
    string ClientAkkaConfig { get; }

    /// <summary>Settings for the replicas' <c>coordinator.fault-injection</c> section.</summary>
    string ReplicaFaultInjectionConfig { get; }

    /// <summary>The replica's "host:port".</summary>
    string Endpoint(int id);

    /// <summary>The command prefix that runs the replica's process (empty: run it directly).</summary>
    IReadOnlyList<string> Launcher(int id);

    /// <summary>From now on drop exactly what <paramref name="cut"/> names; <see cref="Cut.None"/> heals.</summary>
    void Apply(Cut cut, IReadOnlyDictionary<int, ReplicaNode> replicas);
}
