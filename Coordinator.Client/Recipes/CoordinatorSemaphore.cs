using Medallion.Threading;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A Coordinator counting semaphore, usable wherever code expects DistributedLock's <see cref="IDistributedSemaphore"/>:
/// up to <see cref="MaxCount"/> sessions hold a permit at once, the others wait in FIFO order, and every permit has
/// its own fencing token. A session holds at most one permit of a semaphore: a second acquire through the same
/// client, while the first is held or waiting, fails with LockAlreadyRequested (use another client for another
/// ticket).
/// </summary>
public sealed class CoordinatorSemaphore : IDistributedSemaphore
{
    private readonly CoordinatorClient _client;

    internal CoordinatorSemaphore(CoordinatorClient client, string name, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        _client = client;
        Name = name;
        Path = LockNames.ToPath(name);
        MaxCount = maxCount;
    }

    public string Name { get; }

    /// <summary>The semaphore's path in the cluster's lock namespace (shared with locks: a path is one or the other).</summary>
    public string Path { get; }

    /// <summary>Every user of the semaphore must name the same count while anyone holds or waits for it.</summary>
    public int MaxCount { get; }

    /// <returns>The handle, or null when <paramref name="timeout"/> passed first; zero tries once without queueing.</returns>
    public async ValueTask<CoordinatorLockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, LockMode.Shared, timeout, cancellationToken, MaxCount).ConfigureAwait(false);

    /// <param name="timeout">Null waits until granted.</param>
    /// <exception cref="TimeoutException">Not granted within <paramref name="timeout"/>.</exception>
    public async ValueTask<CoordinatorLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, LockMode.Shared, timeout, cancellationToken, MaxCount).ConfigureAwait(false)
        ?? throw LockTimeout.Expired(Path, timeout);

    IDistributedSynchronizationHandle? IDistributedSemaphore.TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    IDistributedSynchronizationHandle IDistributedSemaphore.Acquire(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    async ValueTask<IDistributedSynchronizationHandle?> IDistributedSemaphore.TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false);

    async ValueTask<IDistributedSynchronizationHandle> IDistributedSemaphore.AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        await AcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
}
