namespace Coordinator.Core.Sessions;

/// <summary>
/// What the leader's session tracker needs from a state machine that has sessions: who they are, and the system
/// commands that expire one or let time-driven work (TTLs, leases, lock-delay) happen.
/// </summary>
internal interface ISessionTable
{
    IEnumerable<(long SessionId, int TimeoutMs)> Sessions();

    byte[] ExpireCommand(long sessionId);

    byte[] TickCommand();
}
