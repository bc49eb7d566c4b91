using Coordinator.Core.Protocol;

namespace Coordinator.Service.Gateway;

/// <summary>
/// What the gateway core decided in one step, for its shell to carry out and then clear: messages to clients (in the
/// order given, so a watch event goes before the answer that could show its change), requests to the local replica,
/// write retries to schedule or cancel, and clients whose end the shell should watch for or stop watching.
/// </summary>
internal sealed class GatewayOutbox<TClient>
{
    public List<(TClient Client, ClientMessage Message)> ToClients { get; } = [];

    /// <summary>ProposeRequest, ReadIndexRequest and SessionsAlive, for the replica this gateway belongs to.</summary>
    public List<object> ToReplica { get; } = [];

    public List<WriteKey> RetryLater { get; } = [];

    public List<WriteKey> CancelRetry { get; } = [];

    /// <summary>Reads to run on the replica's state now: linearizable reads whose read index came.</summary>
    public List<(TClient Client, ReadRequest Read)> ReadsToRun { get; } = [];

    /// <summary>Read indexes of linearizable reads to ask for again later: the last ask found no leader.</summary>
    public List<long> ReadIndexRetries { get; } = [];

    public List<TClient> Watch { get; } = [];

    public List<TClient> Unwatch { get; } = [];

    public void Clear()
    {
        ToClients.Clear();
        ToReplica.Clear();
        RetryLater.Clear();
        CancelRetry.Clear();
        ReadsToRun.Clear();
        ReadIndexRetries.Clear();
        Watch.Clear();
        Unwatch.Clear();
    }
}
