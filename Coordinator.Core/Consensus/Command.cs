namespace Coordinator.Core.Consensus;

/// <summary>
/// One client command as the log carries it: opaque to consensus. (SessionId, Sequence) identify it so the state
/// machine can apply each command at most once even when a retry lands it in a second slot.
/// </summary>
internal sealed record Command(long SessionId, long Sequence, byte[] Payload)
{
    public bool Equals(Command? other) =>
        other is not null
        && SessionId == other.SessionId
        && Sequence == other.Sequence
        && Payload.AsSpan().SequenceEqual(other.Payload);

    public override int GetHashCode() => HashCode.Combine(SessionId, Sequence, Payload.Length);

    public override string ToString() => $"{SessionId}#{Sequence}";
}
