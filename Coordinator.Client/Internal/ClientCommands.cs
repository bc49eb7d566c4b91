using Coordinator.Core.Protocol;

namespace Coordinator.Client;

// What the public CoordinatorClient asks of its ClientActor, and the actor's timer. Every reply goes through the
// TaskCompletionSource carried in the command (created with RunContinuationsAsynchronously, so the actor never
// runs caller code by completing one).

internal sealed record StartSession(TaskCompletionSource Completion);

internal sealed record SubmitWrite(Transaction Transaction, byte[] Bytes, TaskCompletionSource<WriteOutcome> Completion);

/// <summary><paramref name="LockGrant"/> is set when an Acquire was queued: it completes with the fencing token.</summary>
internal sealed record WriteOutcome(OpResult Result, long Slot, Task<long>? LockGrant);

internal sealed record SubmitRead(ReadKind Kind, string Path, Action<WatchEvent>? Watcher, TaskCompletionSource<ReadResponse> Completion, bool Linearizable = false);

internal sealed record Subscribe(WatchSubscription Subscription, TaskCompletionSource Completion);

internal sealed record Unsubscribe(WatchSubscription Subscription);

/// <summary>Fail whatever is pending and stop: the client is being disposed.</summary>
internal sealed record Shutdown(TaskCompletionSource Completion);

internal sealed record CheckTick
{
    public static CheckTick Instance { get; } = new();
}
