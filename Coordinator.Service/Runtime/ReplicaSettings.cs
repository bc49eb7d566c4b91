using System.Collections.Immutable;
using Akka.Configuration;
using Coordinator.Core.Consensus;
using Coordinator.Service.Gateway;
using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Runtime;

/// <summary>One replica's settings, read from the <c>coordinator</c> section of its HOCON configuration.</summary>
internal sealed record ReplicaSettings(
    int ReplicaId,
    ImmutableSortedDictionary<int, string> Replicas,
    string DataDir,
    long SnapshotInterval,
    long SnapshotBytes,
    TimeSpan TickInterval,
    TimeSpan SessionCheckInterval,
    TimeSpan TimeTickInterval,
    TimeSpan RecoveryTimeout,
    PaxosOptions Paxos,
    StateMachineSettings StateMachine,
    GatewaySettings Gateway,
    StorageSettings Storage)
{
    public const string SystemName = "coordinator";
    public const string ReplicaActorName = "replica";
    public const string GatewayActorName = "gateway";

    public string Endpoint => Replicas[ReplicaId];

    /// <summary>As leader: session expiries proposed and not yet applied, at most (<c>max-expiries-in-flight</c>).</summary>
    public int MaxExpiriesInFlight { get; init; } = 1024;

    /// <summary>Akka.Remote's protocol over plain TCP; transport adapters put their own scheme in front of "tcp".</summary>
    public const string TcpProtocol = "akka.tcp";

    public static string AddressOf(string endpoint, string protocol = TcpProtocol) => $"{protocol}://{SystemName}@{endpoint}";

    public static string ReplicaPathOf(string endpoint, string protocol = TcpProtocol) => $"{AddressOf(endpoint, protocol)}/user/{ReplicaActorName}";

    public const string Path = "coordinator.replica";

    /// <summary>
    /// Reads the <c>coordinator</c> section: this replica's own keys and the replica set here, and each subsystem's
    /// section through that subsystem's own Create. Every key must be present: the embedded reference.conf
    /// (<see cref="ReplicaHost.ReferenceConfig"/>) is the one source of defaults.
    /// </summary>
    /// <exception cref="ConfigurationException">The configuration is incomplete or inconsistent; the message says how.</exception>
    public static ReplicaSettings Create(Config config)
    {
        var root = config.GetConfig("coordinator") ?? throw new ConfigurationException("The configuration has no 'coordinator' section.");
        var section = root.GetConfig("replica");
        var replica = new HoconSection(section, Path);
        var id = replica.Int("id");
        var replicas = ReadReplicaSet(root);
        if (!replicas.ContainsKey(id))
        {
            throw new ConfigurationException(
                $"coordinator.replica.id = {id} names no replica of coordinator.replicas ({string.Join(", ", replicas.Keys)}).");
        }
        var dataDir = replica.String("data-dir");
        var snapshotInterval = replica.Long("snapshot-interval");
        if (snapshotInterval <= 0)
        {
            throw replica.Invalid("snapshot-interval", "must be positive");
        }
        var snapshotBytes = replica.Bytes("snapshot-bytes");
        if (snapshotBytes <= 0)
        {
            throw replica.Invalid("snapshot-bytes", "must be positive");
        }
        var security = SecuritySettings.Create(root.GetConfig("security"));
        return new ReplicaSettings(
            id,
            replicas,
            dataDir,
            snapshotInterval,
            snapshotBytes,
            replica.Duration("tick-interval"),
            replica.Duration("session-check-interval"),
            replica.Duration("time-tick-interval"),
            replica.Duration("recovery-timeout"),
            PaxosConfig.Create(section, id, [.. replicas.Keys]),
            StateMachineConfig.Create(root.GetConfig("state-machine")) with { SuperUser = security.SuperUser, DefaultAcl = security.DefaultAcl },
            GatewaySettings.Create(root.GetConfig("gateway")) with { Security = security },
            StorageSettings.Create(root.GetConfig("storage"), System.IO.Path.Combine(dataDir, $"replica-{id}.db")))
        {
            MaxExpiriesInFlight = MaxExpiries(replica),
        };
    }

    private static int MaxExpiries(HoconSection replica)
    {
        var max = replica.Int("max-expiries-in-flight");
        return max > 0 ? max : throw replica.Invalid("max-expiries-in-flight", "must be positive");
    }

    private static ImmutableSortedDictionary<int, string> ReadReplicaSet(Config root)
    {
        var section = root.GetConfig("replicas");
        var replicas = ImmutableSortedDictionary.CreateBuilder<int, string>();
        if (section is not null)
        {
            foreach (var entry in section.AsEnumerable())
            {
                if (!int.TryParse(entry.Key, out var id) || id <= 0)
                {
                    throw new ConfigurationException($"coordinator.replicas: '{entry.Key}' is not a positive replica id.");
                }
                var endpoint = entry.Value.GetString();
                if (string.IsNullOrWhiteSpace(endpoint) || !endpoint.Contains(':'))
                {
                    throw new ConfigurationException($"coordinator.replicas.{id} = '{endpoint}': expected \"host:port\".");
                }
                replicas[id] = endpoint;
            }
        }
        if (replicas.Count == 0)
        {
            throw new ConfigurationException("coordinator.replicas is empty: list every replica as id = \"host:port\".");
        }
        return replicas.ToImmutable();
    }
}
