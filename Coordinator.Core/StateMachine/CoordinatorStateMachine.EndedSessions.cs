using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Sessions that ended lately. A copy of a session's CreateSession can still be applied after the session ended: a
/// deposed leader's vote that its successor re-proposes in a later slot, or a gateway that resends a create it has not
/// seen answered yet. Without a trace of the session that copy would create it again, and a retry of a write that was
/// answered SessionExpired would then apply (seed 2970 of the 5-replica lock simulation). A copy of the create
/// answers SessionExpired while the session's tombstone lasts: <see cref="StateMachineSettings.EndedSessionRetentionMs"/> of duration-clock
/// time after the later of its end and the last leader change, the deadline rule of leases, since late copies come
/// right after leader changes and within a gateway's give-up time. The tombstones go into snapshots.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    private readonly Queue<(long SessionId, long EndedAt)> _endedInOrder = new();
    private readonly HashSet<long> _ended = [];

    /// <summary>After an Apply that stood: its ended sessions get a tombstone, and tombstones past their time go.</summary>
    private void RememberEndedSessions()
    {
        foreach (var e in _events)
        {
            var ended = e switch
            {
                SessionExpired expired => expired.SessionId,
                SessionClosed closed => closed.SessionId,
                _ => 0,
            };
            if (ended != 0 && _ended.Add(ended))
            {
                _endedInOrder.Enqueue((ended, _time.Clock));
            }
        }
        while (_endedInOrder.TryPeek(out var oldest) && _time.Due(oldest.EndedAt, _settings.EndedSessionRetentionMs) <= _time.Clock)
        {
            _endedInOrder.Dequeue();
            _ended.Remove(oldest.SessionId);
        }
    }

    private void WriteEndedSessions(WireWriter writer)
    {
        writer.WriteInt32(_endedInOrder.Count);
        foreach (var (sessionId, endedAt) in _endedInOrder)
        {
            writer.WriteInt64(sessionId);
            writer.WriteInt64(endedAt);
        }
    }

    private void ReadEndedSessions(ref WireReader reader)
    {
        var count = reader.ReadCount();
        for (var i = 0; i < count; i++)
        {
            var ended = (reader.ReadInt64(), reader.ReadInt64());
            _endedInOrder.Enqueue(ended);
            _ended.Add(ended.Item1);
        }
    }
}
