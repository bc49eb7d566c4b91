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

    /// <summary>Akka.Remote's protocol over plain TCP; transport adapters put their own scheme in front of "tcp".</summary>
    public const string TcpProtocol = "akka.tcp";

    public static string AddressOf(string endpoint, string protocol = TcpProtocol) => $"{protocol}://{SystemName}@{endpoint}";

    public static string ReplicaPathOf(string endpoint, string protocol = TcpProtocol) => $"{AddressOf(endpoint, protocol)}/user/{ReplicaActorName}";

    /// <exception cref="ConfigurationException">The configuration is incomplete or inconsistent; the message says how.</exception>
    public static ReplicaSettings Create(Config config)
    {
        var root = config.GetConfig("coordinator") ?? throw new ConfigurationException("The configuration has no 'coordinator' section.");
        var replica = root.GetConfig("replica");
        var id = replica.GetInt("id");
        var replicas = ReadReplicaSet(root);
        if (!replicas.ContainsKey(id))
        {
            throw new ConfigurationException(
                $"coordinator.replica.id = {id} names no replica of coordinator.replicas ({string.Join(", ", replicas.Keys)}).");
        }
        var dataDir = replica.GetString("data-dir", "./data");
        var storage = root.GetConfig("storage");
        var provider = storage.GetString("provider", "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => StorageProvider.Sqlite,
            "postgres" or "postgresql" => StorageProvider.Postgres,
            var other => throw new ConfigurationException($"coordinator.storage.provider = '{other}': expected sqlite or postgres."),
        };
        var sqlitePath = storage.GetString("sqlite-path", "");
        var postgres = storage.GetString("postgres-connection-string", "");
        if (provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(postgres))
        {
            throw new ConfigurationException("coordinator.storage.provider = postgres needs coordinator.storage.postgres-connection-string.");
        }
        var paxos = new PaxosOptions
        {
            ReplicaIds = [.. replicas.Keys],
            HeartbeatInterval = Milliseconds(replica, "heartbeat-interval"),
            ElectionTimeout = Milliseconds(replica, "election-timeout"),
            RetransmitInterval = Milliseconds(replica, "retransmit-interval"),
            CatchUpInterval = Milliseconds(replica, "catch-up-interval"),
            PipelineWindow = replica.GetInt("pipeline-window"),
            MaxBatchCommands = replica.GetInt("max-batch-commands"),
            MaxBatchBytes = (int)(replica.GetByteSize("max-batch-bytes") ?? (1 << 20)),
            MaxPendingCommands = replica.GetInt("max-pending-commands"),
            MaxCatchUpEntries = replica.GetInt("max-catch-up-entries"),
        };
        try
        {
            paxos.Validate(id);
        }
        catch (ArgumentException invalid)
        {
            throw new ConfigurationException($"Invalid coordinator.replica settings: {invalid.Message}");
        }
        var snapshotInterval = replica.GetLong("snapshot-interval");
        if (snapshotInterval <= 0)
        {
            throw new ConfigurationException("coordinator.replica.snapshot-interval must be positive.");
        }
        return new ReplicaSettings(
            id,
            replicas,
            dataDir,
            snapshotInterval,
            replica.GetTimeSpan("tick-interval"),
            replica.GetTimeSpan("session-check-interval"),
            replica.GetTimeSpan("time-tick-interval"),
            replica.GetTimeSpan("recovery-timeout"),
            paxos,
            ReadStateMachine(root.GetConfig("state-machine")),
            GatewaySettings.Create(root.GetConfig("gateway")),
            new StorageSettings(
                provider,
                string.IsNullOrWhiteSpace(sqlitePath) ? Path.Combine(dataDir, $"replica-{id}.db") : sqlitePath,
                postgres));
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

    private static StateMachineSettings ReadStateMachine(Config section) => new()
    {
        MaxDataBytes = (int)(section.GetByteSize("max-data-bytes") ?? StateMachineSettings.Default.MaxDataBytes),
        MaxPathLength = section.GetInt("max-path-length"),
        MinSessionTimeoutMs = (int)Milliseconds(section, "min-session-timeout"),
        MaxSessionTimeoutMs = (int)Milliseconds(section, "max-session-timeout"),
        LockDelayMs = Milliseconds(section, "lock-delay"),
        MaxMultiOps = section.GetInt("max-multi-ops"),
    };

    private static long Milliseconds(Config config, string key) => (long)config.GetTimeSpan(key).TotalMilliseconds;
}
