using Akka.Configuration;

namespace Coordinator.Service.FaultInjection;

/// <summary>
/// A deliberate bug for the fault harness to catch (<c>coordinator.fault-injection.drop-replayed-event</c>, honoured
/// only with <c>coordinator.fault-injection.enabled</c>): the first event this replica's gateway would replay from
/// its watch history (to a watch that resumes here after a failover, or that asked to start from a slot) is not sent.
/// The stream carries no mark of the gap, so only a checker that compares what each watcher received with what was
/// committed finds it. Proves the watch checker detects a lost event; never on in production.
/// </summary>
internal sealed class DropReplayedEvent
{
    private bool _dropped;

    public static DropReplayedEvent? From(Config config) =>
        config.GetBoolean("coordinator.fault-injection.enabled", false)
        && config.GetBoolean("coordinator.fault-injection.drop-replayed-event", false)
            ? new DropReplayedEvent()
            : null;

    /// <summary>True exactly once: for the first replayed event, which is then dropped.</summary>
    public bool Drops()
    {
        if (_dropped)
        {
            return false;
        }
        _dropped = true;
        return true;
    }
}
