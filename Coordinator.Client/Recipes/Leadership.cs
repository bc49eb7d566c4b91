namespace Coordinator.Client.Recipes;

/// <summary>This session leads an election until it resigns or <see cref="LostToken"/> fires.</summary>
public sealed class Leadership : IAsyncDisposable
{
    private readonly CoordinatorClient _client;
    private readonly string _path;
    private readonly CoordinatorLockHandle _lock;

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

    /// <summary>Removes the published data, then lets the next candidate in. Stop the leader's work before calling.</summary>
    public async Task ResignAsync()
    {
        try
        {
            // Safe while the session lives: it still holds the lock, so the node is this leader's.
            await _client.DeleteAsync(_path).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CoordinatorException or ObjectDisposedException)
        {
            // Gone with the session, or left for the next leader to replace.
        }
        await _lock.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await ResignAsync().ConfigureAwait(false);
}
