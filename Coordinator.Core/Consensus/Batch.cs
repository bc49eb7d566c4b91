using System.Collections.Immutable;

namespace Coordinator.Core.Consensus;

/// <summary>
/// The value of one slot: the commands the leader batched into it and the leader's clock when it proposed them.
/// An empty batch is the no-op a new leader fills holes with.
/// </summary>
internal sealed record Batch(long Timestamp, ImmutableArray<Command> Commands)
{
    public bool IsNoOp => Commands.IsEmpty;

    public static Batch NoOp(long timestamp) => new(timestamp, ImmutableArray<Command>.Empty);

    public int PayloadBytes
    {
        get
        {
            var total = 0;
            foreach (var command in Commands)
            {
                total += command.Payload.Length;
            }
            return total;
        }
    }

    public bool Equals(Batch? other) =>
        other is not null && Timestamp == other.Timestamp && Commands.AsSpan().SequenceEqual(other.Commands.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Timestamp, Commands.Length);

    public override string ToString() => IsNoOp ? $"noop@{Timestamp}" : $"[{string.Join(',', Commands)}]@{Timestamp}";
}
