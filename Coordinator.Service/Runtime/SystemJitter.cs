using Coordinator.Core.Consensus;

namespace Coordinator.Service.Runtime;

/// <summary>Election-timeout jitter for a real replica; the simulation injects a seeded source instead.</summary>
internal sealed class SystemJitter : IJitterSource
{
    public long Next(long maxExclusive) => maxExclusive <= 0 ? 0 : Random.Shared.NextInt64(maxExclusive);
}
