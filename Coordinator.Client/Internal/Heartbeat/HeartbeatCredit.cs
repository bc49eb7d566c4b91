namespace Coordinator.Client;

/// <summary>
/// Where the shared heartbeat leaves a session's latest confirmation, for the session to take when it next wakes (at
/// its grace point, or earlier for other reasons). A message per session and interval would wake every idle session
/// once more per interval for nothing: a confirmation only matters when the session next looks at its deadline. One
/// writer (the HeartbeatActor), one reader (the session's ClientActor); the value is immutable and swapped whole.
/// </summary>
internal sealed class HeartbeatCredit
{
    private HeartbeatConfirmed? _latest;

    public HeartbeatConfirmed? Latest => Volatile.Read(ref _latest);

    public void Confirm(HeartbeatConfirmed confirmed) => Volatile.Write(ref _latest, confirmed);
}
