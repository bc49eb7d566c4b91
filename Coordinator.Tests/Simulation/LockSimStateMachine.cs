using System.Buffers.Binary;
using Coordinator.Core.Consensus;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.StateMachine;
using Command = Coordinator.Core.Consensus.Command;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// The real <see cref="CoordinatorStateMachine"/> behind a simulated replica: decodes each command's payload with
/// <see cref="TransactionCodec"/>, applies it, and keeps the results and events of the last slot for the lock
/// workload's checks. It also tracks which (session, sequence) the log already carried, as
/// <see cref="SimStateMachine"/> does, so the simulation's integrity and liveness checks keep their meaning; the
/// machine's own exactly-once table is checked against it by the workload.
/// </summary>
internal class LockSimStateMachine : ISimStateMachine
{
    private readonly SortedDictionary<long, long> _lastSequence = [];

    // System commands are applied every time, possibly out of sequence order (they are proposed at whichever
    // replica leads), so they are remembered one by one.
    private readonly SortedSet<long> _systemSequences = [];

    private readonly List<LockSlotEntry> _lastSlot = [];

    public LockSimStateMachine(StateMachineSettings settings, byte[]? snapshot)
    {
        if (snapshot is null)
        {
            State = new CoordinatorStateMachine(settings);
            Hash = HashOf(Snapshot());
            return;
        }
        var span = snapshot.AsSpan();
        NextSlot = BinaryPrimitives.ReadInt64LittleEndian(span);
        var sessions = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        var offset = 12;
        for (var i = 0; i < sessions; i++, offset += 16)
        {
            _lastSequence[BinaryPrimitives.ReadInt64LittleEndian(span[offset..])] = BinaryPrimitives.ReadInt64LittleEndian(span[(offset + 8)..]);
        }
        var system = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        offset += 4;
        for (var i = 0; i < system; i++, offset += 8)
        {
            _systemSequences.Add(BinaryPrimitives.ReadInt64LittleEndian(span[offset..]));
        }
        State = CoordinatorStateMachine.Restore(span[offset..].ToArray(), settings);
        Hash = HashOf(Snapshot());
    }

    public CoordinatorStateMachine State { get; }

    public long NextSlot { get; private set; }

    public ulong Hash { get; private set; }

    /// <summary>What the last applied slot did, command by command.</summary>
    public IReadOnlyList<LockSlotEntry> LastSlot => _lastSlot;

    public IEnumerable<Command> Apply(long slot, SlotTime time, Batch batch)
    {
        NextSlot = slot + 1;
        _lastSlot.Clear();
        var applied = new List<Command>();
        foreach (var command in batch.Commands)
        {
            var fresh = MarkApplied(command);
            if (fresh)
            {
                applied.Add(command);
            }
            var decoded = TransactionCodec.Decode(command.Payload);
            var result = decoded.IsOk
                ? ApplyTransaction(slot, time, command.SessionId, command.Sequence, decoded.Value!)
                : new ApplyResult(new ErrorResult(ErrorCode.BadArguments), []);
            _lastSlot.Add(new LockSlotEntry(command, decoded.Value, fresh, result.Result, result.Events));
        }
        Hash = HashOf(Snapshot());
        return applied;
    }

    public byte[] Snapshot()
    {
        var state = State.Snapshot();
        var bytes = new byte[12 + _lastSequence.Count * 16 + 4 + _systemSequences.Count * 8 + state.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, NextSlot);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], _lastSequence.Count);
        var offset = 12;
        foreach (var (session, sequence) in _lastSequence)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[offset..], session);
            BinaryPrimitives.WriteInt64LittleEndian(span[(offset + 8)..], sequence);
            offset += 16;
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], _systemSequences.Count);
        offset += 4;
        foreach (var sequence in _systemSequences)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[offset..], sequence);
            offset += 8;
        }
        state.CopyTo(span[offset..]);
        return bytes;
    }

    public bool HasApplied(long sessionId, long sequence) =>
        sessionId == CoordinatorStateMachine.SystemSessionId
            ? _systemSequences.Contains(sequence)
            : _lastSequence.TryGetValue(sessionId, out var last) && sequence <= last;

    /// <summary>The one place a deliberately broken machine in the checker's own tests changes behaviour.</summary>
    protected virtual ApplyResult ApplyTransaction(long slot, SlotTime time, long sessionId, long sequence, Transaction transaction) =>
        State.Apply(slot, time, sessionId, sequence, transaction);

    private bool MarkApplied(Command command)
    {
        if (command.SessionId == CoordinatorStateMachine.SystemSessionId)
        {
            return _systemSequences.Add(command.Sequence);
        }
        if (_lastSequence.TryGetValue(command.SessionId, out var last) && command.Sequence <= last)
        {
            return false;
        }
        _lastSequence[command.SessionId] = command.Sequence;
        return true;
    }

    private static ulong HashOf(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }
}
