using Medallion.Threading;

namespace Coordinator.Client.Recipes;

/// <summary>
/// An upgradeable read lock this session holds, as DistributedLock's <see cref="IDistributedLockUpgradeableHandle"/>:
/// held beside readers but not beside another upgradeable holder or a writer, and upgradeable in place to the write
/// lock. An upgrade that times out (or is cancelled) leaves the upgradeable hold as it was. Disposing releases
/// whichever is held.
/// </summary>
public sealed class CoordinatorUpgradeableLockHandle : IDistributedLockUpgradeableHandle
{
    private readonly CoordinatorClient _client;
    private readonly CoordinatorLockHandle _lock;
    private int _upgrading;

    internal CoordinatorUpgradeableLockHandle(CoordinatorClient client, CoordinatorLockHandle handle)
    {
        _client = client;
        _lock = handle;
    }

    public string Path => _lock.Path;

    /// <summary><see cref="LockMode.Upgradeable"/>, then <see cref="LockMode.Exclusive"/> once upgraded.</summary>
    public LockMode Mode => _lock.Mode;

    /// <summary>The grant's fencing token; the upgrade's write grant has a new, higher one.</summary>
    public long FencingToken => _lock.FencingToken;

    /// <inheritdoc cref="CoordinatorLockHandle.HandleLostToken"/>
    public CancellationToken HandleLostToken => _lock.HandleLostToken;

    /// <param name="timeout">Zero tries once; the readers still holding the lock keep it, and so does this handle.</param>
    /// <returns>Whether this handle holds the write lock now.</returns>
    /// <exception cref="InvalidOperationException">Already upgraded, or an upgrade of this handle is under way.</exception>
    public async ValueTask<bool> TryUpgradeToWriteLockAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        var wait = LockTimeout.Validate(timeout);
        if (Mode == LockMode.Exclusive || Interlocked.CompareExchange(ref _upgrading, 1, 0) != 0)
        {
            throw new InvalidOperationException($"The lock {Path} is already upgraded, or being upgraded, by this handle.");
        }
        try
        {
            if (await UpgradeAsync(wait, cancellationToken).ConfigureAwait(false) is not { } token)
            {
                return false;
            }
            _lock.Upgraded(token);
            return true;
        }
        finally
        {
            Volatile.Write(ref _upgrading, 0);
        }
    }

    /// <param name="timeout">Null waits until the other readers are gone.</param>
    /// <exception cref="TimeoutException">Not upgraded within <paramref name="timeout"/>; the upgradeable hold is kept.</exception>
    public async ValueTask UpgradeToWriteLockAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!await TryUpgradeToWriteLockAsync(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"Lock {Path} was not upgraded within {timeout}.");
        }
    }

    public bool TryUpgradeToWriteLock(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        TryUpgradeToWriteLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    public void UpgradeToWriteLock(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        UpgradeToWriteLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => _lock.DisposeAsync();

    /// <summary>Blocks until the release is acknowledged; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => _lock.Dispose();

    /// <returns>The write token, or null when <paramref name="wait"/> passed first (the upgrade is given up).</returns>
    private async Task<long?> UpgradeAsync(TimeSpan? wait, CancellationToken cancellationToken)
    {
        if (wait == TimeSpan.Zero)
        {
            try
            {
                return await _client.UpgradeLockAsync(Path, wait: false, cancellationToken).ConfigureAwait(false);
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
            return await _client.UpgradeLockAsync(Path, wait: true, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
