using System.Buffers.Binary;
using Coordinator.Core.Consensus;

namespace Coordinator.Tests.Simulation;

/// <summary>
/// The simulation's replicated state machine: a running hash over applied commands plus the exactly-once table
/// (session -> last sequence). Two replicas at the same slot must hold the same hash; a command applied twice is
/// a violation the checker reports.
/// </summary>
internal sealed class SimStateMachine : ISimStateMachine
{
    private readonly SortedDictionary<long, long> _lastSequence = [];

    public long NextSlot { get; private set; }

    public ulong Hash { get; private set; } = 14695981039346656037UL;

    public long AppliedCommands { get; private set; }

    /// <returns>The commands applied (skipping retries already applied).</returns>
    public IEnumerable<Command> Apply(long slot, SlotTime time, Batch batch)
    {
        NextSlot = slot + 1;
        Mix(unchecked((ulong)time.Timestamp));
        foreach (var command in batch.Commands)
        {
            if (_lastSequence.TryGetValue(command.SessionId, out var last) && command.Sequence <= last)
            {
                continue;
            }
            _lastSequence[command.SessionId] = command.Sequence;
            AppliedCommands++;
            Mix(unchecked((ulong)command.SessionId));
            Mix(unchecked((ulong)command.Sequence));
            foreach (var b in command.Payload)
            {
                Mix(b);
            }
            yield return command;
        }
    }

    public byte[] Snapshot()
    {
        var bytes = new byte[32 + _lastSequence.Count * 16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, NextSlot);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), Hash);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(16), AppliedCommands);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24), _lastSequence.Count);
        var offset = 32;
        foreach (var (session, sequence) in _lastSequence)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), session);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset + 8), sequence);
            offset += 16;
        }
        return bytes;
    }

    public static SimStateMachine Restore(byte[] snapshot)
    {
        var machine = new SimStateMachine
        {
            NextSlot = BinaryPrimitives.ReadInt64LittleEndian(snapshot),
            Hash = BinaryPrimitives.ReadUInt64LittleEndian(snapshot.AsSpan(8)),
            AppliedCommands = BinaryPrimitives.ReadInt64LittleEndian(snapshot.AsSpan(16)),
        };
        var count = BinaryPrimitives.ReadInt64LittleEndian(snapshot.AsSpan(24));
        for (var i = 0; i < count; i++)
        {
            var offset = 32 + i * 16;
            machine._lastSequence[BinaryPrimitives.ReadInt64LittleEndian(snapshot.AsSpan(offset))] =
                BinaryPrimitives.ReadInt64LittleEndian(snapshot.AsSpan(offset + 8));
        }
        return machine;
    }

    public bool HasApplied(long session, long sequence) =>
        _lastSequence.TryGetValue(session, out var last) && sequence <= last;

    private void Mix(ulong value) => Hash = (Hash ^ value) * 1099511628211UL;
}
