using Coordinator.Core.Protocol;

namespace Coordinator.Client;

internal sealed class PendingRead(long requestId, SubmitRead submit)
{
    public long RequestId { get; } = requestId;

    public ReadKind Kind { get; } = submit.Kind;

    public string Path { get; } = submit.Path;

    public Action<WatchEvent>? Watcher { get; } = submit.Watcher;

    public bool Linearizable { get; } = submit.Linearizable;

    public TaskCompletionSource<ReadResponse> Completion { get; } = submit.Completion;

    /// <summary>When it was sent to the current server; null while it waits for an attach.</summary>
    public long? SentAt { get; set; }

    public int Failovers { get; set; }
}
