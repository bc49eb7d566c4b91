using Coordinator.Service.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>A client session that submits commands one at a time and retries each until it is applied.</summary>
internal sealed class SimClient(int index, long sessionId)
{
    public int Index { get; } = index;

    public long SessionId { get; } = sessionId;

    public long Sequence { get; set; }

    public Command? Current { get; set; }

    public int Target { get; set; }

    /// <summary>Bumped whenever the client reschedules itself, so stale timers are ignored.</summary>
    public long TimerGeneration { get; set; }
}
