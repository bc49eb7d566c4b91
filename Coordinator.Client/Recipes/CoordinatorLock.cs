using Coordinator.Core.Protocol;
using Medallion.Threading;

namespace Coordinator.Client.Recipes;

/// <summary>An exclusive Coordinator lock, usable wherever code expects DistributedLock's <see cref="IDistributedLock"/>.</summary>
public sealed class CoordinatorLock : IDistributedLock
{
    private readonly CoordinatorClient _client;

    internal CoordinatorLock(CoordinatorClient client, string name)
    {
        _client = client;
        Name = name;
        Path = LockNames.ToPath(name);
    }

    public string Name { get; }

    public string Path { get; }

    /// <returns>The handle, or null when <paramref name="timeout"/> passed first; zero tries once without queueing.</returns>
    public async ValueTask<CoordinatorLockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, LockMode.Exclusive, timeout, cancellationToken).ConfigureAwait(false);

    /// <param name="timeout">Null waits until granted.</param>
    /// <exception cref="TimeoutException">Not granted within <paramref name="timeout"/>.</exception>
    public async ValueTask<CoordinatorLockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, LockMode.Exclusive, timeout, cancellationToken).ConfigureAwait(false)
        ?? throw LockTimeout.Expired(Path, timeout);

    IDistributedSynchronizationHandle? IDistributedLock.TryAcquire(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    IDistributedSynchronizationHandle IDistributedLock.Acquire(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    async ValueTask<IDistributedSynchronizationHandle?> IDistributedLock.TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await TryAcquireAsync(timeout, cancellationToken).ConfigureAwait(false);

    async ValueTask<IDistributedSynchronizationHandle> IDistributedLock.AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        await AcquireAsync(timeout, cancellationToken).ConfigureAwait(false);
}
