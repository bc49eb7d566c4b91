using Coordinator.Core.Protocol;

namespace Coordinator.Client;

// What ClientSessionCore asks its shell to do, in the order given: the order is what makes a watch callback run
// before the response that follows it completes.

internal abstract record ClientOutput;

/// <summary>Tell the gateway of server <paramref name="Server"/> (an index into the options' servers).</summary>
internal sealed record SendToServer(int Server, ClientMessage Message) : ClientOutput;

internal sealed record PublishState(ConnectionState State) : ClientOutput;

internal sealed record DeliverEvent(WatchSubscription Subscription, WatchEvent Event) : ClientOutput;

/// <summary>No event will reach this subscription any more.</summary>
internal sealed record EndSubscription(WatchSubscription Subscription, Exception Error) : ClientOutput;

internal sealed record ReportLockLost(string Path, long Token) : ClientOutput;

/// <summary>Worth a line in the log: server <paramref name="Server"/> said <paramref name="Message"/>.</summary>
internal sealed record Warn(int Server, string Message) : ClientOutput;

/// <summary>
/// Settles a caller's task. Callers' completion sources run their continuations asynchronously, so settling never
/// runs caller code; a task the caller already gave up on stays as it is.
/// </summary>
internal abstract record SettleCall : ClientOutput
{
    public abstract void Run();
}

internal sealed record CompleteCall<T>(TaskCompletionSource<T> Caller, T Value) : SettleCall
{
    public override void Run() => Caller.TrySetResult(Value);
}

internal sealed record CompleteSignal(TaskCompletionSource Caller) : SettleCall
{
    public override void Run() => Caller.TrySetResult();
}

internal sealed record FailCall<T>(TaskCompletionSource<T> Caller, Exception Error) : SettleCall
{
    public override void Run() => Caller.TrySetException(Error);
}

internal sealed record FailSignal(TaskCompletionSource Caller, Exception Error) : SettleCall
{
    public override void Run() => Caller.TrySetException(Error);
}

internal sealed record CancelCall<T>(TaskCompletionSource<T> Caller) : SettleCall
{
    public override void Run() => Caller.TrySetCanceled();
}
