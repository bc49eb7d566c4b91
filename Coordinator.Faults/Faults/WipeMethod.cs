namespace Coordinator.Faults.Faults;

/// <summary>How a wipe loses a replica's journal: the two ways a disk is seen to lose it.</summary>
public enum WipeMethod
{
    /// <summary>The journal file and its -wal/-shm sidecars are deleted.</summary>
    Delete,

    /// <summary>The journal file and its sidecars are truncated to 0 bytes.</summary>
    Truncate,
}
