using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Gateway;

/// <summary>
/// A client process's one heartbeat for all its sessions at a gateway, with virtual time: clients are named
/// "process/actor", and the gateway takes a shared heartbeat only for sessions a client of the sender's process
/// attached. A forged one neither keeps another process's session alive nor reaches its client.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GatewaySharedHeartbeatTests
{
    private const string Heartbeater = "p1/heartbeat";
    private const string Forger = "p2/heartbeat";
    private const int TimeoutMs = 10_000;

    private readonly GatewayCore<string> _core = new(GatewaySettings.Default with { MaxSessionsPerReport = 2 })
    {
        ProcessOf = client => client.Split('/')[0],
    };

    private readonly GatewayLog _log;
    private long _now = 1_000;

    public GatewaySharedHeartbeatTests() => _log = new GatewayLog(_core, TimeoutMs);

    [Fact]
    public void One_heartbeat_keeps_every_named_session_of_its_process_alive_and_is_acknowledged_once_per_heartbeat()
    {
        _log.Create("p1/a", 11, _now);
        _log.Create("p1/b", 12, _now);
        _log.Create("p1/c", 13, _now);
        _log.ConfirmEverything();

        _core.OnSessionsHeartbeat(Heartbeater, new SessionsHeartbeat(7, [11, 12, 13]), _now);
        Assert.Empty(_core.Outbox.ToClients);
        _core.ReportLiveness();
        var reports = _log.Reports();
        // Bounded reports to the leader as for sessions' own heartbeats: 2 + 1.
        Assert.Equal([11, 12, 13], reports.SelectMany(report => report.SessionIds).Order());
        Assert.Equal(2, reports.Count);
        foreach (var report in reports)
        {
            _core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        }

        // One acknowledgement per report part, to the heartbeat's sender only, naming the heartbeat; none to the sessions' actors.
        var acks = _core.Outbox.ToClients.Select(reply => (reply.Client, Ack: Assert.IsType<SessionsHeartbeatAck>(reply.Message))).ToList();
        Assert.All(acks, ack => Assert.Equal(Heartbeater, ack.Client));
        Assert.All(acks, ack => Assert.Equal(7, ack.Ack.HeartbeatId));
        Assert.Equal([11, 12, 13], acks.SelectMany(ack => ack.Ack.SessionIds).Order());
    }

    [Fact]
    public void A_forged_heartbeat_naming_another_process_s_session_is_refused_to_its_sender_and_does_not_keep_the_session_alive()
    {
        _log.Create("p1/a", 11, _now);
        _log.ConfirmEverything();

        _now += TimeoutMs / 2;
        _core.OnSessionsHeartbeat(Forger, new SessionsHeartbeat(1, [11]), _now);
        var refused = Assert.Single(_core.Outbox.ToClients);
        Assert.Equal(Forger, refused.Client);
        var refusal = Assert.IsType<SessionsHeartbeatRefused>(refused.Message);
        Assert.Equal((1L, RejectReason.NotSessionOwner), (refusal.HeartbeatId, refusal.Reason));
        Assert.Equal([11], refusal.SessionIds);
        _core.Outbox.Clear();

        // Nothing reaches the leader for it, and the gateway forgets the attachment when its own client stays silent.
        _core.ReportLiveness();
        Assert.Empty(_log.Reports());
        _now += TimeoutMs / 2 + 1;
        _core.Sweep(_now);
        Assert.False(_core.IsAttachedBy(11, "p1/a"));
    }

    [Fact]
    public void A_forged_heartbeat_mixed_with_the_forger_s_own_sessions_keeps_only_its_own_alive()
    {
        _log.Create("p1/a", 11, _now);
        _log.Create("p2/m", 21, _now);
        _log.ConfirmEverything();

        _core.OnSessionsHeartbeat(Forger, new SessionsHeartbeat(3, [21, 11, 99]), _now);
        var refusals = _core.Outbox.ToClients.Select(reply => (reply.Client, Refused: Assert.IsType<SessionsHeartbeatRefused>(reply.Message))).ToList();
        Assert.All(refusals, refusal => Assert.Equal(Forger, refusal.Client));
        Assert.Equal([99], Assert.Single(refusals, refusal => refusal.Refused.Reason == RejectReason.UnknownSession).Refused.SessionIds);
        Assert.Equal([11], Assert.Single(refusals, refusal => refusal.Refused.Reason == RejectReason.NotSessionOwner).Refused.SessionIds);
        _core.Outbox.Clear();

        _core.ReportLiveness();
        Assert.Equal([21], Assert.Single(_log.Reports()).SessionIds);
    }

    [Fact]
    public void A_session_the_process_stops_naming_is_no_longer_reported_and_goes_when_silent_for_its_timeout()
    {
        _log.Create("p1/a", 11, _now);
        _log.Create("p1/b", 12, _now);
        _log.ConfirmEverything();

        _core.OnSessionsHeartbeat(Heartbeater, new SessionsHeartbeat(1, [11, 12]), _now);
        _core.ReportLiveness();
        Assert.Equal([11, 12], Assert.Single(_log.Reports()).SessionIds.Order());

        _now += TimeoutMs / 3;
        _core.OnSessionsHeartbeat(Heartbeater, new SessionsHeartbeat(2, [11]), _now);
        _core.ReportLiveness();
        Assert.Equal([11], Assert.Single(_log.Reports()).SessionIds);

        _now += TimeoutMs - TimeoutMs / 3 + 1;
        _core.OnSessionsHeartbeat(Heartbeater, new SessionsHeartbeat(3, [11]), _now);
        _core.Sweep(_now);
        Assert.True(_core.IsAttachedBy(11, "p1/a"));
        Assert.False(_core.IsAttachedBy(12, "p1/b"));
    }

    [Fact]
    public void A_session_taken_over_by_another_process_before_the_leader_answered_is_not_acknowledged_to_the_old_one()
    {
        _log.Create("p1/a", 11, _now);
        _log.Create("p1/b", 12, _now);
        _log.ConfirmEverything();
        _core.OnSessionsHeartbeat(Heartbeater, new SessionsHeartbeat(5, [11, 12]), _now);
        _core.ReportLiveness();
        var report = Assert.Single(_log.Reports());

        // The session's secret moved to another process, which attached it here.
        _core.OnAttachInspected("p2/a", new AttachRequest(_log.NextRequestId(), 11, 1, 0, [], []), new AttachOutcome(new SessionInfo(11, TimeoutMs, 1, 0, 0, 1, [], []), [], []), 1, _now);
        _core.Outbox.Clear();
        _core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        var ack = Assert.IsType<SessionsHeartbeatAck>(Assert.Single(_core.Outbox.ToClients, reply => reply.Client == Heartbeater).Message);
        Assert.Equal([12], ack.SessionIds);
    }

    [Fact]
    public void A_heartbeat_naming_more_sessions_than_one_may_is_refused_whole()
    {
        _log.Create("p1/a", 11, _now);
        _log.ConfirmEverything();
        _core.OnSessionsHeartbeat(Heartbeater, new SessionsHeartbeat(1, [.. Enumerable.Repeat(11L, SessionsHeartbeat.MaxSessions + 1)]), _now);
        var refused = Assert.IsType<RequestRejected>(Assert.Single(_core.Outbox.ToClients).Message);
        Assert.Equal(RejectReason.RequestTooLarge, refused.Reason);
        _core.ReportLiveness();
        Assert.Empty(_log.Reports());
    }
}
