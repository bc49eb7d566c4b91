namespace Coordinator.Client;

internal sealed class PendingSubscribe(long requestId, Subscribe subscribe)
{
    public long RequestId { get; } = requestId;

    public WatchSubscription Subscription { get; } = subscribe.Subscription;

    public TaskCompletionSource Completion { get; } = subscribe.Completion;

    /// <summary>When it was sent to the current server; null while it waits for an attach.</summary>
    public long? SentAt { get; set; }

    public int Failovers { get; set; }
}
