using Coordinator.Core.Protocol;
using Medallion.Threading;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A Coordinator lock taken shared (read), exclusive (write) or upgradeable, as DistributedLock's
/// <see cref="IDistributedUpgradeableReaderWriterLock"/>. The cluster's queue is FIFO and a reader never passes a
/// queued writer, so writers are not starved. An upgradeable read is held beside readers but not beside another
/// upgradeable one or a writer; its upgrade waits for the readers to go, with newcomers queued behind it.
/// </summary>
public sealed class CoordinatorReaderWriterLock : IDistributedUpgradeableReaderWriterLock
{
    private readonly CoordinatorClient _client;

    internal CoordinatorReaderWriterLock(CoordinatorClient client, string name)
    {
        _client = client;
        Name = name;
        Path = LockNames.ToPath(name);
    }

    public string Name { get; }

    public string Path { get; }

    public ValueTask<CoordinatorLockHandle?> TryAcquireReadLockAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        TryAcquireAsync(LockMode.Shared, timeout, cancellationToken);

    public ValueTask<CoordinatorLockHandle> AcquireReadLockAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        AcquireAsync(LockMode.Shared, timeout, cancellationToken);

    public ValueTask<CoordinatorLockHandle?> TryAcquireWriteLockAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        TryAcquireAsync(LockMode.Exclusive, timeout, cancellationToken);

    public ValueTask<CoordinatorLockHandle> AcquireWriteLockAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        AcquireAsync(LockMode.Exclusive, timeout, cancellationToken);

    /// <returns>The handle, or null when <paramref name="timeout"/> passed first; zero tries once without queueing.</returns>
    public async ValueTask<CoordinatorUpgradeableLockHandle?> TryAcquireUpgradeableReadLockAsync(
        TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, LockMode.Upgradeable, timeout, cancellationToken).ConfigureAwait(false) is { } handle
            ? new CoordinatorUpgradeableLockHandle(_client, handle)
            : null;

    /// <param name="timeout">Null waits until granted.</param>
    /// <exception cref="TimeoutException">Not granted within <paramref name="timeout"/>.</exception>
    public async ValueTask<CoordinatorUpgradeableLockHandle> AcquireUpgradeableReadLockAsync(
        TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        new(_client, await AcquireAsync(LockMode.Upgradeable, timeout, cancellationToken).ConfigureAwait(false));

    IDistributedLockUpgradeableHandle? IDistributedUpgradeableReaderWriterLock.TryAcquireUpgradeableReadLock(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireUpgradeableReadLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    IDistributedLockUpgradeableHandle IDistributedUpgradeableReaderWriterLock.AcquireUpgradeableReadLock(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireUpgradeableReadLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    async ValueTask<IDistributedLockUpgradeableHandle?> IDistributedUpgradeableReaderWriterLock.TryAcquireUpgradeableReadLockAsync(
        TimeSpan timeout, CancellationToken cancellationToken) =>
        await TryAcquireUpgradeableReadLockAsync(timeout, cancellationToken).ConfigureAwait(false);

    async ValueTask<IDistributedLockUpgradeableHandle> IDistributedUpgradeableReaderWriterLock.AcquireUpgradeableReadLockAsync(
        TimeSpan? timeout, CancellationToken cancellationToken) =>
        await AcquireUpgradeableReadLockAsync(timeout, cancellationToken).ConfigureAwait(false);

    IDistributedSynchronizationHandle? IDistributedReaderWriterLock.TryAcquireReadLock(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireReadLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    IDistributedSynchronizationHandle IDistributedReaderWriterLock.AcquireReadLock(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireReadLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    async ValueTask<IDistributedSynchronizationHandle?> IDistributedReaderWriterLock.TryAcquireReadLockAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await TryAcquireReadLockAsync(timeout, cancellationToken).ConfigureAwait(false);

    async ValueTask<IDistributedSynchronizationHandle> IDistributedReaderWriterLock.AcquireReadLockAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        await AcquireReadLockAsync(timeout, cancellationToken).ConfigureAwait(false);

    IDistributedSynchronizationHandle? IDistributedReaderWriterLock.TryAcquireWriteLock(TimeSpan timeout, CancellationToken cancellationToken) =>
        TryAcquireWriteLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    IDistributedSynchronizationHandle IDistributedReaderWriterLock.AcquireWriteLock(TimeSpan? timeout, CancellationToken cancellationToken) =>
        AcquireWriteLockAsync(timeout, cancellationToken).AsTask().GetAwaiter().GetResult();

    async ValueTask<IDistributedSynchronizationHandle?> IDistributedReaderWriterLock.TryAcquireWriteLockAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await TryAcquireWriteLockAsync(timeout, cancellationToken).ConfigureAwait(false);

    async ValueTask<IDistributedSynchronizationHandle> IDistributedReaderWriterLock.AcquireWriteLockAsync(TimeSpan? timeout, CancellationToken cancellationToken) =>
        await AcquireWriteLockAsync(timeout, cancellationToken).ConfigureAwait(false);

    private async ValueTask<CoordinatorLockHandle?> TryAcquireAsync(LockMode mode, TimeSpan timeout, CancellationToken cancellationToken) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, mode, timeout, cancellationToken).ConfigureAwait(false);

    private async ValueTask<CoordinatorLockHandle> AcquireAsync(LockMode mode, TimeSpan? timeout, CancellationToken cancellationToken) =>
        await CoordinatorLockHandle.AcquireAsync(_client, Path, mode, timeout, cancellationToken).ConfigureAwait(false)
        ?? throw LockTimeout.Expired(Path, timeout);
}
