namespace Coordinator.Tests.Simulation;

/// <summary>Where a lock client is in its loop; the *ing phases have a command in flight.</summary>
internal enum LockClientPhase
{
    NoSession,
    Opening,
    Idle,
    Acquiring,
    Waiting,
    Withdrawing,
    Holding,
    Releasing,
    Closing,
    SessionOver,
    Crashed,
    Done,
}
