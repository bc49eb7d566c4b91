using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>
/// A client process's one heartbeat, with virtual time: one message per gateway and interval naming every session open
/// there, answers credited with the send time of the heartbeat they name and only to sessions still open at the
/// gateway that answered.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SharedHeartbeatCoreTests
{
    private const string G1 = "gateway-1";
    private const string G2 = "gateway-2";
    private readonly SharedHeartbeatCore<string> _core = new();

    [Fact]
    public void Sessions_at_one_gateway_share_one_heartbeat_every_third_of_their_timeout()
    {
        _core.Join(11, "a", G1, 9000, now: 0);
        _core.Join(12, "b", G1, 9000, now: 1000);
        _core.Join(21, "c", G2, 9000, now: 0);
        Assert.Empty(_core.Tick(2999));

        var due = _core.Tick(3000);
        Assert.Equal(2, due.Count);
        Assert.Equal([11, 12], Assert.Single(due, beat => beat.Gateway == G1).Heartbeat.SessionIds.Order());
        Assert.Equal([21], Assert.Single(due, beat => beat.Gateway == G2).Heartbeat.SessionIds);
        Assert.Empty(_core.Tick(5999));
        Assert.Equal(2, _core.Tick(6000).Count);
    }

    [Fact]
    public void The_smallest_timeout_at_a_gateway_sets_its_interval_and_a_new_session_is_named_within_a_third_of_its_own()
    {
        _core.Join(11, "a", G1, 30_000, now: 0);
        _core.Join(12, "b", G1, 3000, now: 500);
        Assert.Single(_core.Tick(1500));
        Assert.Empty(_core.Tick(2499));
        Assert.Single(_core.Tick(2500));

        _core.Leave(12);
        _core.Tick(3500);
        Assert.Empty(_core.Tick(13_499));
        Assert.Equal([11], Assert.Single(_core.Tick(13_500)).Heartbeat.SessionIds);
    }

    [Fact]
    public void A_process_with_more_sessions_than_one_heartbeat_names_sends_several()
    {
        for (long id = 1; id <= SessionsHeartbeat.MaxSessions + 5; id++)
        {
            _core.Join(id, "s" + id, G1, 9000, now: 0);
        }
        var due = _core.Tick(3000);
        Assert.Equal(2, due.Count);
        Assert.Equal(SessionsHeartbeat.MaxSessions + 5, due.Sum(beat => beat.Heartbeat.SessionIds.Count));
        Assert.NotEqual(due[0].Heartbeat.HeartbeatId, due[1].Heartbeat.HeartbeatId);
    }

    [Fact]
    public void An_ack_credits_its_heartbeat_s_send_time_to_the_sessions_still_open_at_the_gateway_that_sent_it()
    {
        _core.Join(11, "a", G1, 9000, now: 0);
        _core.Join(12, "b", G1, 9000, now: 0);
        var heartbeat = Assert.Single(_core.Tick(3000)).Heartbeat;
        _core.Join(12, "b", G2, 9000, now: 3100);

        var (sentAt, sessions) = _core.Acknowledged(G1, new SessionsHeartbeatAck(heartbeat.HeartbeatId, 5, [11, 12])) ?? throw new InvalidOperationException("not credited");
        Assert.Equal(3000, sentAt);
        Assert.Equal([("a", 11L)], sessions);

        // Another gateway cannot answer for it, nor anyone for a heartbeat never sent.
        Assert.Null(_core.Acknowledged(G2, new SessionsHeartbeatAck(heartbeat.HeartbeatId, 5, [12])));
        Assert.Null(_core.Acknowledged(G1, new SessionsHeartbeatAck(999, 5, [11])));
    }

    [Fact]
    public void A_session_that_left_is_named_no_more_and_a_gateway_with_none_left_gets_no_heartbeat()
    {
        _core.Join(11, "a", G1, 9000, now: 0);
        _core.Join(12, "b", G1, 9000, now: 0);
        _core.Leave(11);
        Assert.Equal([12], Assert.Single(_core.Tick(3000)).Heartbeat.SessionIds);
        _core.Leave(12);
        Assert.Empty(_core.Gateways);
        Assert.Empty(_core.Tick(6000));
        Assert.Equal(0, _core.SessionCount);
    }

    [Fact]
    public void Refusals_and_lost_connections_reach_only_the_sessions_open_at_that_gateway()
    {
        _core.Join(11, "a", G1, 9000, now: 0);
        _core.Join(12, "b", G1, 9000, now: 0);
        _core.Join(21, "c", G2, 9000, now: 0);
        Assert.Equal([("b", 12L)], _core.Refused(G1, new SessionsHeartbeatRefused(1, RejectReason.NotSessionOwner, [12, 21])));
        Assert.Equal(["a", "b"], _core.ConnectionLost(G1).Select(session => session.Client).Order());
        Assert.Empty(_core.ConnectionLost("gateway-3"));
    }

    [Fact]
    public void Heartbeats_older_than_the_longest_timeout_are_forgotten()
    {
        _core.Join(11, "a", G1, 9000, now: 0);
        var first = Assert.Single(_core.Tick(3000)).Heartbeat;
        for (var now = 6000; now <= 15_000; now += 3000)
        {
            _core.Tick(now);
        }
        Assert.Null(_core.Acknowledged(G1, new SessionsHeartbeatAck(first.HeartbeatId, 1, [11])));
        Assert.InRange(_core.Remembered, 1, 4);
    }
}
