using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Command = Coordinator.Core.Consensus.Command;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// One command of an applied slot as the lock workload sees it. Fresh is false for a retry of a command the log
/// already carried; Transaction is null when the payload did not decode.
/// </summary>
internal sealed record LockSlotEntry(
    Command Command,
    Transaction? Transaction,
    bool Fresh,
    OpResult Result,
    IReadOnlyList<StateMachineEvent> Events)
{
    /// <summary>Records with their lists flattened, so two replicas' entries compare by value.</summary>
    public IEnumerable<object> Flattened()
    {
        yield return Command;
        yield return Fresh;
        yield return Result;
        foreach (var e in Events)
        {
            yield return e;
        }
    }
}
