using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// A simulated client: submits one command at a time and retries it with the same sequence until it is applied.
/// Subclasses decide what to send next.
/// </summary>
internal abstract class SimClient(int index)
{
    public int Index { get; } = index;

    public Command? Current { get; set; }

    public int Target { get; set; }

    /// <summary>Bumped whenever the client reschedules itself, so stale timers are ignored.</summary>
    public long TimerGeneration { get; set; }

    /// <summary>True once the client will never send again; until then it is polled even when it has nothing to send.</summary>
    public abstract bool IsDone { get; }

    /// <summary>Called when <see cref="Current"/> is null: the next command to submit, or null for nothing now.</summary>
    public abstract Command? Next(SimRandom random, long now, bool healed);

    /// <summary>Lets a client die with its command in flight; the simulation then stops expecting that command.</summary>
    public virtual bool Crashes(SimRandom random, long now, bool healed) => false;
}
