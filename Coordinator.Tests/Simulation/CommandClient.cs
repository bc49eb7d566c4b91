using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>The consensus workload's client: opaque random payloads under one session until healing or its quota.</summary>
internal sealed class CommandClient(int index, long sessionId, int maxCommands) : SimClient(index)
{
    private bool _done;

    public long SessionId { get; } = sessionId;

    public long Sequence { get; private set; }

    public override bool IsDone => _done;

    public override Command? Next(SimRandom random, long now, bool healed)
    {
        if (healed || Sequence >= maxCommands)
        {
            _done = true;
            return null;
        }
        Sequence++;
        var payload = new byte[8];
        BitConverter.TryWriteBytes(payload, random.NextUInt64());
        return new Command(SessionId, Sequence, payload);
    }
}
