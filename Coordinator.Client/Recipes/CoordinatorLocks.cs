using Medallion.Threading;

namespace Coordinator.Client.Recipes;

/// <summary>
/// Locks, reader-writer locks (upgradeable ones too) and semaphores held by one client's session (<c>client.Locks</c>),
/// as DistributedLock providers so that
/// code written against that library runs unchanged. Stateless: every lock and handle goes back to the client.
/// </summary>
public sealed class CoordinatorLocks(CoordinatorClient client)
    : IDistributedLockProvider, IDistributedUpgradeableReaderWriterLockProvider, IDistributedSemaphoreProvider
{
    private readonly CoordinatorClient _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <param name="timeout">Null waits until granted.</param>
    /// <exception cref="TimeoutException">Not granted within <paramref name="timeout"/>.</exception>
    public ValueTask<CoordinatorLockHandle> AcquireAsync(string name, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CreateLock(name).AcquireAsync(timeout, cancellationToken);

    /// <returns>The handle, or null when <paramref name="timeout"/> passed first; zero tries once without queueing.</returns>
    public ValueTask<CoordinatorLockHandle?> TryAcquireAsync(string name, TimeSpan timeout = default, CancellationToken cancellationToken = default) =>
        CreateLock(name).TryAcquireAsync(timeout, cancellationToken);

    public CoordinatorLock CreateLock(string name) => new(_client, name);

    public CoordinatorReaderWriterLock CreateReaderWriterLock(string name) => new(_client, name);

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is less than 1.</exception>
    public CoordinatorSemaphore CreateSemaphore(string name, int maxCount) => new(_client, name, maxCount);

    IDistributedLock IDistributedLockProvider.CreateLock(string name) => CreateLock(name);

    IDistributedReaderWriterLock IDistributedReaderWriterLockProvider.CreateReaderWriterLock(string name) => CreateReaderWriterLock(name);

    IDistributedUpgradeableReaderWriterLock IDistributedUpgradeableReaderWriterLockProvider.CreateUpgradeableReaderWriterLock(string name) =>
        CreateReaderWriterLock(name);

    IDistributedSemaphore IDistributedSemaphoreProvider.CreateSemaphore(string name, int maxCount) => CreateSemaphore(name, maxCount);
}
