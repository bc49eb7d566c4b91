using Akka.Configuration;
using Coordinator.Core.StateMachine;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Reads <see cref="StateMachineSettings"/> from <c>coordinator.state-machine</c>. It lives here, not beside the
/// settings, because Coordinator.Core has no Akka and so no HOCON; the settings' own initializers serve the pure
/// tests and the simulation, and a test checks they equal reference.conf.
/// </summary>
internal static class StateMachineConfig
{
    public const string Path = "coordinator.state-machine";

    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static StateMachineSettings Create(Config section)
    {
        var hocon = new HoconSection(section, Path);
        return new StateMachineSettings
        {
            MaxDataBytes = hocon.Int32Bytes("max-data-bytes"),
            MaxPathLength = hocon.Int("max-path-length"),
            MinSessionTimeoutMs = hocon.Int32Milliseconds("min-session-timeout"),
            MaxSessionTimeoutMs = hocon.Int32Milliseconds("max-session-timeout"),
            LockDelayMs = hocon.Milliseconds("lock-delay"),
            MaxNodeTtlMs = hocon.Milliseconds("max-node-ttl"),
            MaxLeaseTtlMs = hocon.Milliseconds("max-lease-ttl"),
            MaxMultiOps = hocon.Int("max-multi-ops"),
            EndedSessionRetentionMs = hocon.Milliseconds("ended-session-retention"),
        };
    }
}
