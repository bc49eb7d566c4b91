using System.Collections.Immutable;

namespace Coordinator.Core.Consensus;

/// <summary>
/// The value of one slot: the commands the leader batched into it, the leader's wall-clock stamp, and the term
/// (ballot) and monotonic clock of the leader that created it (<see cref="SlotTime"/>). A new leader re-proposes a
/// recovered batch unchanged, so it keeps its creator's term and clock. An empty batch is the no-op a new leader
/// fills holes with.
/// </summary>
internal sealed record Batch(long Timestamp, Ballot Term, long Clock, ImmutableArray<Command> Commands)
{
    public bool IsNoOp => Commands.IsEmpty;

    public SlotTime Time => new(Timestamp, Term, Clock);

    public static Batch NoOp(long timestamp, Ballot term, long clock) => new(timestamp, term, clock, ImmutableArray<Command>.Empty);

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
        other is not null
        && Timestamp == other.Timestamp
        && Term == other.Term
        && Clock == other.Clock
        && Commands.AsSpan().SequenceEqual(other.Commands.AsSpan());

    public override int GetHashCode() => HashCode.Combine(Timestamp, Term, Clock, Commands.Length);

    public override string ToString() => IsNoOp ? $"noop@{Timestamp}/{Term}" : $"[{string.Join(',', Commands)}]@{Timestamp}/{Term}";
}
