using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>A write queued or in flight. Its request id and sequence are taken when it is first sent and kept on every resend.</summary>
internal sealed class PendingWrite(SubmitWrite submit)
{
    public Transaction Transaction { get; } = submit.Transaction;

    public byte[] Bytes { get; } = submit.Bytes;

    public TaskCompletionSource<WriteOutcome> Completion { get; } = submit.Completion;

    public long RequestId { get; set; }

    public long Sequence { get; set; }

    /// <summary>When it was sent to the current server; null while it waits for an attach.</summary>
    public long? SentAt { get; set; }

    public int Sends { get; set; }

    /// <summary>Servers that left it unanswered for a whole request timeout.</summary>
    public int Failovers { get; set; }
}
