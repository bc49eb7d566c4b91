namespace Coordinator.Core.Consensus;

/// <summary>A slot the leader proposed in its ballot and is collecting Accepted replies for.</summary>
internal sealed class SlotInFlight(Batch value, long sentAt)
{
    public Batch Value { get; } = value;

    /// <summary>Bit i set: replica at index i of the configured set accepted this slot in the leader's current ballot.</summary>
    public uint AcceptedBy { get; set; }

    public long SentAt { get; set; } = sentAt;

    public bool IsChosen { get; set; }
}
