using System.Collections.Immutable;
using Akka.Configuration;
using Coordinator.Core.Consensus;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Reads <see cref="PaxosOptions"/> from the consensus keys of <c>coordinator.replica</c>. It lives here, not beside
/// the options, because Coordinator.Core has no Akka and so no HOCON; the options' own initializers serve the
/// simulation and the core tests, and a test checks they equal reference.conf.
/// </summary>
internal static class PaxosConfig
{
    public const string Path = "coordinator.replica";

    /// <exception cref="ConfigurationException">A key is missing or invalid, or the options are inconsistent.</exception>
    public static PaxosOptions Create(Config section, int replicaId, ImmutableArray<int> replicaIds)
    {
        var hocon = new HoconSection(section, Path);
        var options = new PaxosOptions
        {
            ReplicaIds = replicaIds,
            HeartbeatInterval = hocon.Milliseconds("heartbeat-interval"),
            ElectionTimeout = hocon.Milliseconds("election-timeout"),
            RetransmitInterval = hocon.Milliseconds("retransmit-interval"),
            CatchUpInterval = hocon.Milliseconds("catch-up-interval"),
            PipelineWindow = hocon.Int("pipeline-window"),
            MaxBatchCommands = hocon.Int("max-batch-commands"),
            MaxBatchBytes = hocon.Int32Bytes("max-batch-bytes"),
            MaxPendingCommands = hocon.Int("max-pending-commands"),
            MaxCatchUpEntries = hocon.Int("max-catch-up-entries"),
            MaxMessageBytes = hocon.Int32Bytes("max-message-bytes"),
            MaxUnansweredChunkAsks = hocon.Int("max-unanswered-chunk-asks"),
        };
        try
        {
            options.Validate(replicaId);
        }
        catch (ArgumentException invalid)
        {
            throw new ConfigurationException($"Invalid {Path} settings: {invalid.Message}");
        }
        return options;
    }
}
