using Akka.Configuration;

namespace Coordinator.Service.FaultInjection;

/// <summary>
/// A replica whose clock is off (<c>coordinator.fault-injection.clock-offset</c>, honoured only with
/// <c>coordinator.fault-injection.enabled</c>): its clock reads this much ahead (or behind) of the machine's, as a
/// machine with a wrong wall clock would. Lets the process tests show that leases, TTL nodes and lock-delay do not
/// follow a leader's wall clock. Never on in production.
/// </summary>
internal static class ClockOffset
{
    public static TimeSpan Of(Config config) =>
        config.GetBoolean("coordinator.fault-injection.enabled", false)
            ? config.GetTimeSpan("coordinator.fault-injection.clock-offset", TimeSpan.Zero, allowInfinite: false)
            : TimeSpan.Zero;
}
