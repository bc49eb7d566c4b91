using Coordinator.Core.Protocol;
using Medallion.Threading;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A lock, or a semaphore's permit, this session holds. Disposing releases it. <see cref="HandleLostToken"/> fires when the lock is lost
/// (session expired or closed, lease lapsed) and, deliberately earlier, as soon as the client loses its connection:
/// from then on the client cannot be sure it still holds the lock, and its session may end (and the lock be regranted
/// after the lock-delay) before it hears anything more. The token does not un-fire on reconnection; callers that
/// want to keep working must take a new lock.
/// </summary>
public sealed class CoordinatorLockHandle : IDistributedSynchronizationHandle
{
    private readonly CoordinatorClient _client;
    private readonly CancellationTokenSource _lost = new();
    private int _released;
    private long _fencingToken;
    private int _mode;

    private CoordinatorLockHandle(CoordinatorClient client, string path, LockMode mode)
    {
        _client = client;
        Path = path;
        _mode = (int)mode;
    }

    /// <summary>The lock's path in the cluster's lock namespace.</summary>
    public string Path { get; }

    /// <summary>The mode held now: an upgraded <see cref="LockMode.Upgradeable"/> hold is <see cref="LockMode.Exclusive"/>.</summary>
    public LockMode Mode => (LockMode)Volatile.Read(ref _mode);

    /// <summary>
    /// Strictly increasing with each grant of this lock (each permit of a semaphore has its own): pass it to resource
    /// servers so they reject stale holders.
    /// </summary>
    public long FencingToken => Volatile.Read(ref _fencingToken);

    public CancellationToken HandleLostToken => _lost.Token;

    /// <param name="maxCount">Null for a lock; a semaphore's max count, taken as a shared permit.</param>
    /// <returns>The handle, or null when <paramref name="timeout"/> passed first (the place in the queue is given up).</returns>
    internal static async Task<CoordinatorLockHandle?> AcquireAsync(
        CoordinatorClient client,
        string path,
        LockMode mode,
        TimeSpan? timeout,
        CancellationToken cancellationToken,
        int? maxCount = null)
    {
        var wait = LockTimeout.Validate(timeout);
        var handle = new CoordinatorLockHandle(client, path, mode);
        // Subscribed before asking so that a disconnection between the grant and the return is not missed.
        handle.Subscribe();
        try
        {
            var token = await AcquireTokenAsync(client, path, mode, maxCount, wait, cancellationToken).ConfigureAwait(false);
            if (token is null)
            {
                handle.Unsubscribe();
                return null;
            }
            Volatile.Write(ref handle._fencingToken, token.Value);
            if (client.State is not (ConnectionState.Connected or ConnectionState.Reconnected))
            {
                handle.MarkLost();
            }
            return handle;
        }
        catch
        {
            handle.Unsubscribe();
            throw;
        }
    }

    /// <summary>The cluster granted the upgrade of this handle's upgradeable hold: it is the write lock now.</summary>
    internal void Upgraded(long token)
    {
        Volatile.Write(ref _fencingToken, token);
        Volatile.Write(ref _mode, (int)LockMode.Exclusive);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }
        Unsubscribe();
        try
        {
            await _client.ReleaseLockAsync(Path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoordinatorException or ObjectDisposedException)
        {
            // Not held any more, or the session is gone or unreachable: its end releases the lock.
        }
    }

    /// <summary>Blocks until the release is acknowledged; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static async Task<long?> AcquireTokenAsync(
        CoordinatorClient client, string path, LockMode mode, int? maxCount, TimeSpan? wait, CancellationToken cancellationToken)
    {
        if (wait == TimeSpan.Zero)
        {
            try
            {
                return await Acquire(queue: false, cancellationToken).ConfigureAwait(false);
            }
            catch (LockBusyException)
            {
                return null;
            }
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (wait is { } limit)
        {
            deadline.CancelAfter(limit);
        }
        try
        {
            return await Acquire(queue: true, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client withdraws from the queue (or releases a grant that raced the timeout) on cancellation.
            return null;
        }

        Task<long> Acquire(bool queue, CancellationToken token) => maxCount is { } count
            ? client.AcquireSemaphoreAsync(path, count, queue, cancellationToken: token)
            : client.AcquireLockAsync(path, mode, queue, cancellationToken: token);
    }

    private void Subscribe()
    {
        _client.ConnectionStateChanged += OnStateChanged;
        _client.LockLost += OnLockLost;
    }

    private void Unsubscribe()
    {
        _client.ConnectionStateChanged -= OnStateChanged;
        _client.LockLost -= OnLockLost;
    }

    private void OnStateChanged(object? sender, ConnectionStateChangedEventArgs e)
    {
        if (e.State is ConnectionState.Disconnected or ConnectionState.Expired or ConnectionState.Closed)
        {
            MarkLost();
        }
    }

    private void OnLockLost(object? sender, LockLostEventArgs e)
    {
        // This session holds one grant of a path at a time, so a loss at or above the handle's token is of its grant,
        // including an upgrade's write grant whose token the handle has not taken yet.
        var token = FencingToken;
        if (e.Path == Path && e.Token >= token)
        {
            MarkLost();
        }
    }

    // Events arrive on the client's own thread, which must not block: the token's callbacks run elsewhere.
    // The source is never disposed: it has no timer, and a late event must still be able to cancel it.
    private void MarkLost() => _ = _lost.CancelAsync();
}
