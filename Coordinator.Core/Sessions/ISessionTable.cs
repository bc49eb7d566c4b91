namespace Coordinator.Core.Sessions;

/// <summary>
/// What the leader's session tracker needs from a state machine that has sessions: who they are, word of each one that
/// opens or ends as commands apply (so the tracker never scans the table), and the system commands that expire one
/// or let time-driven work (TTLs, leases, lock-delay) happen.
/// </summary>
internal interface ISessionTable
{
    /// <summary>Every live session: read once when a replica starts to lead, or after its state was replaced.</summary>
    IEnumerable<(long SessionId, int TimeoutMs)> Sessions();

    /// <summary>Told, as it is applied, of each session created (its id and negotiated timeout).</summary>
    Action<long, int>? SessionOpened { get; set; }

    /// <summary>Told, as it is applied, of each session that expired or closed.</summary>
    Action<long>? SessionEnded { get; set; }

    byte[] ExpireCommand(long sessionId);

    byte[] TickCommand();
}
