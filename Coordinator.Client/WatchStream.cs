using System.Threading.Channels;

namespace Coordinator.Client;

/// <summary>
/// The events of one persistent watch (<see cref="CoordinatorClient.WatchAsync(string, bool, CancellationToken)"/>):
/// registration starts when the stream is made, <see cref="Registered"/> says when the replica has it and from
/// which slot on the stream is complete, and enumerating it (once) yields every event in log order. The stream
/// ends with <see cref="SessionExpiredException"/> when the session ends; disposing it, or the enumerator, or
/// cancelling the token given to WatchAsync removes the watch.
/// </summary>
/// <remarks>
/// A caller that must not miss a change awaits <see cref="Registered"/> before it reads: whatever the read does not
/// show arrives as an event. A <see cref="WatchEventType.Compacted"/> event marks the one kind of gap the stream may
/// have: the replica's history no longer reached back far enough (after a failover, or for a start slot too old).
/// </remarks>
public sealed class WatchStream : IAsyncEnumerable<WatchEvent>, IAsyncDisposable
{
    private readonly Channel<WatchEvent> _events;
    private readonly Action _remove;
    private readonly CancellationToken _cancellation;
    private int _enumerated;
    private int _removed;

    internal WatchStream(Channel<WatchEvent> events, Task<long> registered, Action remove, CancellationToken cancellation)
    {
        _events = events;
        Registered = registered;
        _remove = remove;
        _cancellation = cancellation;
    }

    /// <summary>
    /// Completes once the replica has registered the watch, with the slot after which the stream holds every change
    /// (the start slot when one was given); faults as the registration did (the session ended, the replica refused).
    /// </summary>
    public Task<long> Registered { get; }

    /// <exception cref="InvalidOperationException">The stream is already being enumerated.</exception>
    public IAsyncEnumerator<WatchEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _enumerated, 1) == 0
            ? EnumerateAsync(cancellationToken)
            : throw new InvalidOperationException("A watch stream can be enumerated once.");

    public ValueTask DisposeAsync()
    {
        Remove();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerator<WatchEvent> EnumerateAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancellation);
        try
        {
            await Registered.WaitAsync(stop.Token).ConfigureAwait(false);
            await foreach (var e in _events.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                yield return e;
            }
        }
        finally
        {
            Remove();
        }
    }

    private void Remove()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 0)
        {
            _remove();
            _events.Writer.TryComplete();
        }
    }
}
