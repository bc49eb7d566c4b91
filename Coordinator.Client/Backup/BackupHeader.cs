namespace Coordinator.Client;

/// <summary>
/// What a backup file says about itself (<c>coord snapshot inspect</c>). The state it holds is the replicated state
/// machine after every slot below <see cref="AppliedBelow"/>, exactly as the replica that served it had applied them.
/// </summary>
/// <param name="FormatVersion">The file format's version.</param>
/// <param name="ClusterId">The id of the cluster the backup was taken from.</param>
/// <param name="AppliedBelow">The state reflects every slot below this one and none above.</param>
/// <param name="LastTimestamp">The leader's time stamped on the last slot applied (Unix milliseconds).</param>
/// <param name="SavedAt">When the file was written (the saving machine's clock).</param>
/// <param name="StateBytes">The length of the state machine's snapshot in the file.</param>
/// <param name="Checksum">SHA-256 over the header fields before it and the state, in lowercase hex.</param>
public sealed record BackupHeader(
    int FormatVersion, string ClusterId, long AppliedBelow, long LastTimestamp, DateTimeOffset SavedAt, long StateBytes, string Checksum);
