using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>Deadlines are time + a client-chosen span; saturating keeps a huge span from wrapping into the past.</summary>
internal static class Saturating
{
    public static long Add(long a, long b)
    {
        var sum = unchecked(a + b);
        return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? long.MinValue : long.MaxValue) : sum;
    }
}
