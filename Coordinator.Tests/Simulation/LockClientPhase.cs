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

    /// <summary>Holding upgradeable, an Upgrade in flight.</summary>
    Upgrading,

    /// <summary>Holding upgradeable, the Upgrade queued until the other holders go.</summary>
    UpgradeWaiting,

    /// <summary>Holding upgradeable, giving a queued Upgrade up.</summary>
    UpgradeWithdrawing,
    Releasing,
    Closing,
    SessionOver,
    Crashed,
    Done,
}
