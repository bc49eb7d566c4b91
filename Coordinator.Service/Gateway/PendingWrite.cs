using Coordinator.Core.Consensus;

namespace Coordinator.Service.Gateway;

/// <summary>A client write the gateway is getting through the log; retried while no leader takes it.</summary>
internal sealed class PendingWrite<TClient>(long requestId, TClient client, Command command, long firstSentAt)
    where TClient : notnull
{
    public long RequestId { get; set; } = requestId;

    /// <summary>Where the answer goes: the client that sent the latest copy.</summary>
    public TClient Client { get; set; } = client;

    /// <summary>The client whose in-flight limits this write counts against until it is answered.</summary>
    public TClient Charged { get; } = client;

    public Command Command { get; } = command;

    public long FirstSentAt { get; } = firstSentAt;

    /// <summary>A CreateSession: once the log created the session, it is attached to <see cref="Client"/>.</summary>
    public bool CreatesSession { get; init; }

    /// <summary>For a sync served by a read index instead of the log: the id of its read index requests.</summary>
    public long? ReadId { get; init; }
}
