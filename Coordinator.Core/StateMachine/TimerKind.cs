using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>What a <see cref="TimerEntry"/> is about; also the tie-break between entries due at the same time.</summary>
internal enum TimerKind : byte
{
    NodeTtl = 0,
    LeaseLapse = 1,
    LockDelayEnd = 2,
}
