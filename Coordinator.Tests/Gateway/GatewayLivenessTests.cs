using Coordinator.Core.Protocol;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Gateway;

/// <summary>
/// The gateway's liveness reports to the leader, with virtual time: a report names only the sessions heard since the
/// last one, in bounded parts, and an answer on its way is not dropped however many reports follow it.
/// </summary>
[Trait("Category", "Unit")]
public sealed class GatewayLivenessTests
{
    private readonly GatewayCore<string> _core = new(GatewaySettings.Default with { MaxSessionsPerReport = 2 });
    private readonly GatewayLog _log;
    private long _now = 1_000;

    public GatewayLivenessTests() => _log = new GatewayLog(_core, 10_000);

    [Fact]
    public void Sessions_heard_in_one_interval_go_to_the_leader_in_reports_of_bounded_size_and_each_is_acknowledged()
    {
        long[] sessions = [11, 12, 13, 14, 15];
        foreach (var id in sessions)
        {
            _log.Create("client-" + id, id, _now);
        }
        _log.ConfirmEverything();
        foreach (var id in sessions)
        {
            _core.OnHeartbeat("client-" + id, new Heartbeat(id), _now);
        }
        _core.ReportLiveness();
        var reports = _log.Reports();
        Assert.Equal([2, 2, 1], reports.Select(report => report.SessionIds.Count));
        Assert.Equal(sessions, reports.SelectMany(report => report.SessionIds).Order());
        foreach (var report in reports)
        {
            _core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        }
        var acks = _core.Outbox.ToClients.Select(reply => (reply.Client, Ack: Assert.IsType<HeartbeatAck>(reply.Message))).ToList();
        Assert.Equal(sessions.Select(id => ("client-" + id, id)), acks.Select(ack => (ack.Client, ack.Ack.SessionId)).OrderBy(ack => ack.Item2));
    }

    [Fact]
    public void A_report_names_only_the_sessions_heard_since_the_last_one()
    {
        _log.Create("a", 11, _now);
        _log.Create("b", 12, _now);
        _log.ConfirmEverything();
        _core.ReportLiveness();
        Assert.Empty(_log.Reports());

        _core.OnHeartbeat("b", new Heartbeat(12), _now);
        _core.OnHeartbeat("a", new Heartbeat(12), _now);
        _core.ReportLiveness();
        Assert.Equal([12L], Assert.Single(_log.Reports()).SessionIds);
    }

    [Fact]
    public void An_answer_still_on_its_way_is_delivered_however_many_reports_follow_it_and_a_sweep_later_it_is_forgotten()
    {
        _log.Create("a", 11, _now);
        _core.OnHeartbeat("a", new Heartbeat(11), _now);
        _core.ReportLiveness();
        var first = Assert.Single(_log.Reports());
        // A connect storm: every attach sends its own report.
        for (long id = 100; id < 150; id++)
        {
            _log.Create("client-" + id, id, _now);
            _core.OnHeartbeat("client-" + id, new Heartbeat(id), _now);
            _core.ReportLiveness();
        }
        Assert.Equal(50, _log.Reports().Count);
        _core.Sweep(_now);
        _core.OnLivenessConfirmed(new SessionsAliveAck(first.ReportId));
        Assert.Contains(_core.Outbox.ToClients, reply => reply.Client == "a" && reply.Message is HeartbeatAck);
        _core.Outbox.Clear();

        _core.OnHeartbeat("a", new Heartbeat(11), _now);
        _core.ReportLiveness();
        var unanswered = Assert.Single(_log.Reports());
        _core.Sweep(_now += 500);
        _core.Sweep(_now += 500);
        _core.OnLivenessConfirmed(new SessionsAliveAck(unanswered.ReportId));
        Assert.Empty(_core.Outbox.ToClients);
    }
}
