using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Coordinator.Service.Gateway;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Gateway;

/// <summary>
/// What the replica and the log answer a <see cref="GatewayCore{TClient}"/> in liveness tests: a session created and
/// attached, and every liveness report confirmed by the leader.
/// </summary>
internal sealed class GatewayLog(GatewayCore<string> core, int sessionTimeoutMs)
{
    private long _slot;
    private long _requestId;

    public long NextRequestId() => ++_requestId;

    /// <summary>A session created through the log by <paramref name="client"/>, attached here, its report sent.</summary>
    public void Create(string client, long sessionId, long now)
    {
        core.OnWrite(client, new WriteRequest(NextRequestId(), sessionId, 1, TransactionCodec.Encode(new CreateSession(sessionTimeoutMs, 1))), now);
        var slot = ++_slot;
        core.OnProposeResponse(new ProposeResponse(sessionId, 1, ProposeStatus.Applied, 0, slot, ResultCodec.Encode(new SessionCreatedResult(sessionId, sessionTimeoutMs))), now);
        core.OnApplied(new CommandApplied(slot, []));
        core.ReportLiveness();
    }

    public void ConfirmEverything()
    {
        foreach (var report in Reports())
        {
            core.OnLivenessConfirmed(new SessionsAliveAck(report.ReportId));
        }
        core.Outbox.Clear();
    }

    /// <summary>The liveness reports sent since the last call.</summary>
    public List<SessionsAlive> Reports()
    {
        var reports = core.Outbox.ToReplica.OfType<SessionsAlive>().ToList();
        core.Outbox.ToReplica.Clear();
        return reports;
    }
}
