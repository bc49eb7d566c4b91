namespace Coordinator.Client.Recipes;

/// <summary>This session leads an election until it resigns or <see cref="LostToken"/> fires.</summary>
public sealed class Leadership : IAsyncDisposable
{
    private readonly CoordinatorClient _client;
    private readonly string _path;
    private readonly CoordinatorLockHandle _lock;

    // Proclaim checks the lock and then writes; a resignation between the two would let the write land after it.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _resigned;

    internal Leadership(CoordinatorClient client, string path, CoordinatorLockHandle handle)
    {
        _client = client;
        _path = path;
        _lock = handle;
    }

    /// <summary>Fires when leadership is lost or may be (see <see cref="CoordinatorLockHandle.HandleLostToken"/>).</summary>
    public CancellationToken LostToken => _lock.HandleLostToken;

    /// <summary>The election lock's fencing token: a later leader always has a higher one.</summary>
    public long FencingToken => _lock.FencingToken;

    /// <summary>
    /// etcd's Proclaim: the leader advertises <paramref name="data"/> instead of what it campaigned (or last proclaimed)
    /// with, and stays leader. Observers see it as a new value of the same leader, with a later
    /// <see cref="ElectionLeader.Updated"/>.
    /// </summary>
    /// <exception cref="NotLeaderException">This leadership was resigned, or its session no longer holds the election lock.</exception>
    /// <exception cref="SessionExpiredException">The session ended (and leadership with it).</exception>
    public async Task ProclaimAsync(byte[] data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A session's writes apply in the order it sends them, and it loses the lock only by releasing it (which
            // the gate keeps out) or by ending (which fails the write): the lock held at the check is held at the write.
            if (_resigned || !await _client.CheckTokenAsync(_path, FencingToken, cancellationToken).ConfigureAwait(false))
            {
                throw new NotLeaderException(_path);
            }
            await _client.SetDataAsync(_path, data, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Removes the published data, then lets the next candidate in. Stop the leader's work before calling. Once is
    /// enough: a second call does nothing (it must not delete the next leader's data).
    /// </summary>
    public async Task ResignAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_resigned)
            {
                return;
            }
            _resigned = true;
            // Safe while the session lives: it still holds the lock, so the node is this leader's.
            await _client.DeleteAsync(_path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoordinatorException or ObjectDisposedException)
        {
            // Gone with the session, or left for the next leader to replace.
        }
        finally
        {
            _gate.Release();
        }
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await ResignAsync().ConfigureAwait(false);
}
