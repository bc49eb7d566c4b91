namespace Coordinator.Service.Runtime;

/// <summary>
/// A read of the replica's state machine, run on the replica actor once it has applied every slot below
/// <paramref name="MinAppliedBelow"/> (local only: it carries a delegate). The answer is a <see cref="StateQueryResult"/>
/// to the sender, sent after every <see cref="CommandApplied"/> of the state it saw, so the gateway always sees
/// a change before a read that shows it.
/// </summary>
internal sealed record StateQuery(long MinAppliedBelow, Func<IReplicatedStateMachine, object> Query, object Tag);

/// <summary><paramref name="AppliedBelow"/>: the read saw exactly the slots below this.</summary>
internal sealed record StateQueryResult(object Tag, long AppliedBelow, object Result);
