using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// SplitMix64: a small PRNG whose sequence is fixed by its seed on every runtime version, so a printed seed replays
/// the same run anywhere. Every random choice of a simulation run comes from one of these.
/// </summary>
internal sealed class SimRandom(long seed) : IJitterSource
{
    private ulong _state = unchecked((ulong)seed);

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public long Next(long maxExclusive) => maxExclusive <= 0 ? 0 : (long)(NextUInt64() % (ulong)maxExclusive);

    public long Between(long minInclusive, long maxInclusive) => minInclusive + Next(maxInclusive - minInclusive + 1);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[(int)Next(items.Count)];

    public SimRandom Fork() => new((long)NextUInt64());
}
