using Akka.Actor;
using Akka.Configuration;
using Coordinator.Core.Protocol;

namespace Coordinator.Service.FaultInjection;

/// <summary>
/// A deliberate bug for the fault harness to catch (<c>coordinator.fault-injection.unsafe-local-sync</c>, honoured
/// only with <c>coordinator.fault-injection.enabled</c>): the gateway answers a sync at once from its own applied
/// state instead of putting it through the log, so a replica cut off from the leader serves stale "linearizable"
/// reads. Proves the harness and its checker detect a real linearizability violation; never on in production.
/// </summary>
internal static class UnsafeLocalSync
{
    private static readonly byte[] Ok = ResultCodec.Encode(OkResult.Instance);

    public static bool Enabled(Config config) =>
        config.GetBoolean("coordinator.fault-injection.enabled", false)
        && config.GetBoolean("coordinator.fault-injection.unsafe-local-sync", false);

    /// <returns>True when the write was a sync and has been answered locally.</returns>
    public static bool TryAnswer(WriteRequest write, long appliedBelow, IActorRef client)
    {
        if (TransactionCodec.Decode(write.Transaction) is not { Value: Sync })
        {
            return false;
        }
        client.Tell(new WriteResponse(write.RequestId, appliedBelow - 1, Ok));
        return true;
    }
}
