namespace Coordinator.Client;

/// <summary>
/// The client's own bound on its session's life (issue 6). The cluster can expire the session no earlier than a
/// timeout after it last heard the client, and it cannot have heard a heartbeat before it was sent, so the deadline
/// counts from when the last acknowledged heartbeat was <em>sent</em>: each acknowledgement names its heartbeat, whose
/// send time the process's shared heartbeat kept. Times are monotonic milliseconds passed in: no clock here.
/// </summary>
internal sealed class SessionDeadline(long timeoutMs, long startMs)
{
    private long _lastAcknowledgedSend = startMs;

    public long TimeoutMs { get; set; } = timeoutMs;

    public long Deadline => _lastAcknowledgedSend + TimeoutMs;

    public long GracePoint => _lastAcknowledgedSend + TimeoutMs * 2 / 3;

    /// <summary>The attached replica's leader heard a heartbeat sent at <paramref name="sentAt"/>.</summary>
    public void HeartbeatAcknowledged(long sentAt) => Credit(sentAt);

    /// <summary>A replica accepted the session (create or attach) for a request sent at <paramref name="sentAt"/>.</summary>
    public void Accepted(long sentAt) => Credit(sentAt);

    public SessionHealth Evaluate(long now) =>
        now >= Deadline ? SessionHealth.Expired : now >= GracePoint ? SessionHealth.Jeopardy : SessionHealth.Healthy;

    private void Credit(long sent)
    {
        if (sent > _lastAcknowledgedSend)
        {
            _lastAcknowledgedSend = sent;
        }
    }
}
