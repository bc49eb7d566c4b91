using Coordinator.Client;

namespace Coordinator.Tests.ClientLibrary;

[Trait("Category", "Unit")]
public sealed class SessionDeadlineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(9);

    [Fact]
    public void Counts_from_when_the_acknowledged_heartbeat_was_sent_not_when_its_ack_arrived()
    {
        var deadline = new SessionDeadline(Timeout, TimeSpan.Zero);
        deadline.HeartbeatSent(TimeSpan.FromSeconds(3));
        deadline.HeartbeatAcknowledged();
        Assert.Equal(TimeSpan.FromSeconds(12), deadline.Deadline);
        Assert.Equal(TimeSpan.FromSeconds(9), deadline.GracePoint);
    }

    [Fact]
    public void An_ack_credits_the_oldest_unacknowledged_heartbeat()
    {
        var deadline = new SessionDeadline(Timeout, TimeSpan.Zero);
        deadline.HeartbeatSent(TimeSpan.FromSeconds(3));
        deadline.HeartbeatSent(TimeSpan.FromSeconds(6));
        deadline.HeartbeatAcknowledged();
        Assert.Equal(TimeSpan.FromSeconds(12), deadline.Deadline);
        deadline.HeartbeatAcknowledged();
        Assert.Equal(TimeSpan.FromSeconds(15), deadline.Deadline);
        deadline.HeartbeatAcknowledged();
        Assert.Equal(TimeSpan.FromSeconds(15), deadline.Deadline);
    }

    [Fact]
    public void Is_healthy_then_in_jeopardy_past_two_thirds_then_expired()
    {
        var deadline = new SessionDeadline(Timeout, TimeSpan.FromSeconds(1));
        Assert.Equal(SessionHealth.Healthy, deadline.Evaluate(TimeSpan.FromSeconds(6.9)));
        Assert.Equal(SessionHealth.Jeopardy, deadline.Evaluate(TimeSpan.FromSeconds(7)));
        Assert.Equal(SessionHealth.Expired, deadline.Evaluate(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Heartbeats_sent_to_a_replica_left_behind_are_never_credited()
    {
        var deadline = new SessionDeadline(Timeout, TimeSpan.Zero);
        deadline.HeartbeatSent(TimeSpan.FromSeconds(3));
        deadline.Accepted(TimeSpan.FromSeconds(5));
        deadline.HeartbeatSent(TimeSpan.FromSeconds(8));
        deadline.HeartbeatAcknowledged();
        Assert.Equal(TimeSpan.FromSeconds(17), deadline.Deadline);
    }
}
