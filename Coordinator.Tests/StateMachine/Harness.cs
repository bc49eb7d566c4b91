using Coordinator.Core.Consensus;
using Coordinator.Core.StateMachine;

using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.StateMachine;

/// <summary>Drives a state machine like a learner would: one slot per command, a clock the test moves.</summary>
internal sealed class Harness(StateMachineSettings? settings = null)
{
    private readonly Dictionary<long, long> _sequences = [];

    public CoordinatorStateMachine Machine { get; private set; } = new(settings);

    public long Slot { get; private set; }

    public long Time { get; set; } = 1_000_000;

    public List<StateMachineEvent> Events { get; } = [];

    /// <param name="user">The user a gateway verified the session as; null for an anonymous session.</param>
    public long Open(long sessionId, int timeoutMs = 10_000, string? user = null)
    {
        var result = Apply(sessionId, 1, new CreateSession(timeoutMs, sessionId * 7, user));
        Assert.IsType<SessionCreatedResult>(result.Result);
        _sequences[sessionId] = 1;
        return sessionId;
    }

    public ApplyResult Run(long sessionId, Transaction txn)
    {
        var sequence = _sequences.GetValueOrDefault(sessionId) + 1;
        _sequences[sessionId] = sequence;
        return Apply(sessionId, sequence, txn);
    }

    public OpResult Do(long sessionId, Transaction txn) => Run(sessionId, txn).Result;

    public ErrorCode Code(long sessionId, Transaction txn) => Run(sessionId, txn).Code;

    public ApplyResult System(Transaction txn) => Apply(CoordinatorStateMachine.SystemSessionId, 0, txn);

    public ApplyResult Advance(long ms)
    {
        Time += ms;
        return System(Tick.Instance);
    }

    public ApplyResult Apply(long sessionId, long sequence, Transaction txn)
    {
        var result = Machine.Apply(++Slot, SlotTime.Untermed(Time), sessionId, sequence, txn);
        Events.AddRange(result.Events);
        return result;
    }

    /// <summary>Swap in a machine restored from a snapshot of the current one, as a restarting replica would.</summary>
    public void RestoreFromSnapshot() => Machine = CoordinatorStateMachine.Restore(Machine.Snapshot(), Machine.Settings);

    public static Create Persistent(string path, string data = "") => new(path, Bytes(data), NodeKind.Persistent);

    public static byte[] Bytes(string text) => global::System.Text.Encoding.UTF8.GetBytes(text);
}
