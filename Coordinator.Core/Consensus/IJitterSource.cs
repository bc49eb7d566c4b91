namespace Coordinator.Core.Consensus;

/// <summary>
/// The one source of randomness the core uses (election-timeout jitter), injected so a simulation can seed it and
/// the core itself stays deterministic.
/// </summary>
internal interface IJitterSource
{
    /// <returns>A value in [0, <paramref name="maxExclusive"/>).</returns>
    long Next(long maxExclusive);
}
