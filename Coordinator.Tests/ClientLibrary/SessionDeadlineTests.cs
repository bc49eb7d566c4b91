using Coordinator.Client;

namespace Coordinator.Tests.ClientLibrary;

[Trait("Category", "Unit")]
public sealed class SessionDeadlineTests
{
    private const long Timeout = 9000;

    [Fact]
    public void Counts_from_when_the_acknowledged_heartbeat_was_sent_not_when_its_ack_arrived()
    {
        var deadline = new SessionDeadline(Timeout, 0);
        deadline.HeartbeatAcknowledged(sentAt: 3000);
        Assert.Equal(12000, deadline.Deadline);
        Assert.Equal(9000, deadline.GracePoint);
    }

    [Fact]
    public void A_late_ack_of_an_older_heartbeat_never_moves_the_deadline_back()
    {
        var deadline = new SessionDeadline(Timeout, 0);
        deadline.HeartbeatAcknowledged(sentAt: 6000);
        deadline.HeartbeatAcknowledged(sentAt: 3000);
        Assert.Equal(15000, deadline.Deadline);
    }

    [Fact]
    public void Is_healthy_then_in_jeopardy_past_two_thirds_then_expired()
    {
        var deadline = new SessionDeadline(Timeout, 1000);
        Assert.Equal(SessionHealth.Healthy, deadline.Evaluate(6900));
        Assert.Equal(SessionHealth.Jeopardy, deadline.Evaluate(7000));
        Assert.Equal(SessionHealth.Expired, deadline.Evaluate(10000));
    }
}
