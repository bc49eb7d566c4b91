using System.Collections.Concurrent;
using System.Threading.Channels;
using Akka.Actor;
using Coordinator.Client.Diagnostics;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// A session with a Coordinator cluster. Calls may run concurrently: reads are pipelined, writes are applied one
/// at a time in call order, each exactly once even when the client moves to another replica. A watch callback
/// runs before the response that follows it completes; callbacks and event handlers run on the client's own
/// thread and must not block.
/// </summary>
public sealed class CoordinatorClient : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly ConcurrentDictionary<string, Task> _undoing = new(StringComparer.Ordinal);
    private readonly IActorRef _actor;
    private readonly ClientStatus _status;
    private readonly CoordinatorClientOptions _options;
    private int _disposed;

    private CoordinatorClient(CoordinatorClientOptions options)
    {
        _options = options;
        _status = new ClientStatus
        {
            StateChanged = state => ConnectionStateChanged?.Invoke(this, new ConnectionStateChangedEventArgs(state)),
            LockLost = (path, token) => LockLost?.Invoke(this, new LockLostEventArgs(path, token)),
        };
        _system = ClientSystem.Acquire(options);
        _actor = _system.ActorOf(Props.Create(() => new ClientActor(options, _status)));
    }

    /// <summary>Raised on every change of <see cref="State"/>, in order.</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>Raised when the cluster takes away a lock this session held (a lease that lapsed).</summary>
    public event EventHandler<LockLostEventArgs>? LockLost;

    public long SessionId => _status.SessionId;

    /// <summary>The session timeout the cluster negotiated.</summary>
    public TimeSpan SessionTimeout => _status.SessionTimeout;

    /// <summary>The newest slot this client has seen; every later read reflects at least this slot.</summary>
    public long LastSeenSlot => _status.LastSeenSlot;

    public ConnectionState State => _status.State;

    /// <summary>Creates a session on one of the servers and attaches to it.</summary>
    /// <exception cref="ConnectionLossException">No server created and attached a session within the connect timeout.</exception>
    /// <exception cref="ClusterMismatchException">A server belongs to another cluster than <see cref="CoordinatorClientOptions.ExpectedClusterId"/>.</exception>
    public static async Task<CoordinatorClient> ConnectAsync(CoordinatorClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ExpectedClusterId is { Length: > 0 } expected)
        {
            await CheckClusterAsync(options, expected, cancellationToken).ConfigureAwait(false);
        }
        var client = new CoordinatorClient(options);
        try
        {
            var started = NewCompletion();
            client._actor.Tell(new StartSession(started));
            // Akka.Remote 1.5 terminates a system whose outbound TLS handshake failed, and the session's actor with it.
            var ended = await Task.WhenAny(started.Task, client._system.WhenTerminated).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (ended != started.Task)
            {
                throw new ConnectionLossException(
                    $"the client's transport stopped before a session was created: {CoordinatedShutdown.Get(client._system).ShutdownReason?.ToString() ?? "terminated"}" +
                    " (a TLS handshake with a server failed: is its certificate issued by the configured CA, and does it name a replica?)");
            }
            await started.Task.ConfigureAwait(false);
            return client;
        }
        catch
        {
            client._actor.Tell(PoisonPill.Instance);
            await ClientSystem.ReleaseAsync(client._system).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Before any session exists: every server that answers within the request timeout must be of the expected
    /// cluster. One that does not answer is left to the session's own failover, which does not ask again.
    /// </summary>
    private static async Task CheckClusterAsync(CoordinatorClientOptions options, string expected, CancellationToken cancellationToken)
    {
        var reports = await ClusterStatus.QueryAsync(options, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (reports.FirstOrDefault(report => report.Reachable && report.ClusterId != expected) is { } stranger)
        {
            throw new ClusterMismatchException(stranger.Server, expected, stranger.ClusterId);
        }
    }

    /// <returns>The created node's path, with its sequential suffix when there is one.</returns>
    public async Task<string> CreateAsync(
        string path,
        byte[] data,
        NodeKind kind = NodeKind.Persistent,
        TimeSpan? ttl = null,
        bool createParents = false,
        CancellationToken cancellationToken = default) =>
        (await CreateWithStatAsync(path, data, kind, ttl, createParents, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>Like <see cref="CreateAsync"/>, with the new node's Stat: its CreatedSlot is the slot the create applied at.</summary>
    public Task<CreatedNode> CreateWithStatAsync(
        string path,
        byte[] data,
        NodeKind kind = NodeKind.Persistent,
        TimeSpan? ttl = null,
        bool createParents = false,
        CancellationToken cancellationToken = default) =>
        CreateWithAclAsync(path, data, null, kind, ttl, createParents, cancellationToken);

    /// <summary>
    /// Creates a node with its own ACL (parents made by <paramref name="createParents"/> get the same one). Needs CREATE
    /// on the parent; <see cref="AclEntry.CreatorAll"/> (<c>auth</c>) gives the session's own user every permission.
    /// </summary>
    /// <param name="acl">The node's ACL; null for the cluster's default ACL.</param>
    /// <exception cref="InvalidAclException">The ACL is empty, names an unknown scheme, or uses auth without a user.</exception>
    public async Task<CreatedNode> CreateWithAclAsync(
        string path,
        byte[] data,
        IReadOnlyList<AclEntry>? acl,
        NodeKind kind = NodeKind.Persistent,
        TimeSpan? ttl = null,
        bool createParents = false,
        CancellationToken cancellationToken = default)
    {
        CheckData(path, data);
        var ttlMs = ttl is { } t ? (long)t.TotalMilliseconds : (long?)null;
        var created = (CreatedResult)await WriteOkAsync(new Create(path, data, kind, ttlMs, createParents, acl), path, cancellationToken).ConfigureAwait(false);
        return new CreatedNode(created.Path, created.Stat);
    }

    /// <summary>The node's ACL and ACL version; needs READ or ADMIN on it.</summary>
    public async Task<AclData> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        var response = await ReadOkAsync(ReadKind.GetAcl, path, ReadConsistency.Session, null, cancellationToken).ConfigureAwait(false);
        var (aclVersion, acl) = AclCodec.DecodeRead(response.Data);
        return new AclData(acl, aclVersion, response.Stat);
    }

    /// <summary>Replaces the node's ACL; needs ADMIN on it.</summary>
    /// <param name="aclVersion">The ACL version the node must have (from <see cref="GetAclAsync"/>); -1 for any.</param>
    /// <returns>The node's new ACL version.</returns>
    /// <exception cref="BadVersionException">The node's ACL version is not <paramref name="aclVersion"/>.</exception>
    public async Task<int> SetAclAsync(string path, IReadOnlyList<AclEntry> acl, int aclVersion = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(acl);
        var result = await WriteOkAsync(new SetAcl(path, acl, aclVersion), path, cancellationToken).ConfigureAwait(false);
        return ((AclSetResult)result).AclVersion;
    }

    /// <summary>
    /// Adds a user, or changes its password; only the super user may. The replica the session is attached to hashes
    /// the password (PBKDF2-SHA-256 with a fresh salt) and stores only the hash.
    /// </summary>
    public Task SetUserAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        return WriteOkAsync(new SetPassword(name, password), null, cancellationToken);
    }

    /// <summary>Removes a user; only the super user may. Sessions already open as that user keep it until they end.</summary>
    public Task RemoveUserAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WriteOkAsync(new RemoveUser(name), null, cancellationToken);
    }

    /// <param name="watcher">Called once when the node changes or is deleted after this read.</param>
    public Task<NodeData> GetDataAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        GetDataAsync(path, ReadConsistency.Session, watcher, cancellationToken);

    /// <param name="consistency">
    /// <see cref="ReadConsistency.Linearizable"/> reads the latest committed state in one request, as <see cref="SyncAsync"/>
    /// and then this read would.
    /// </param>
    /// <param name="watcher">Called once when the node changes or is deleted after this read.</param>
    public async Task<NodeData> GetDataAsync(
        string path, ReadConsistency consistency, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var response = await ReadOkAsync(ReadKind.GetData, path, consistency, watcher, cancellationToken).ConfigureAwait(false);
        return new NodeData(response.Data, response.Stat);
    }

    /// <param name="version">The version the node must have; -1 for any.</param>
    /// <returns>The node's new Stat; its ModifiedSlot is the slot the change applied at.</returns>
    public async Task<Stat> SetDataAsync(string path, byte[] data, int version = -1, CancellationToken cancellationToken = default)
    {
        CheckData(path, data);
        var result = await WriteOkAsync(new SetData(path, data, version), path, cancellationToken).ConfigureAwait(false);
        return ((StatResult)result).Stat;
    }

    /// <returns>
    /// The slot the delete applied at; when a retry after a failover was answered from the session's record of its
    /// last write, the slot of that answer, later than the delete (the node's Stat, which would say, is gone).
    /// </returns>
    public async Task<long> DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        var outcome = await WriteAsync(new Delete(path, version), cancellationToken, path).ConfigureAwait(false);
        return outcome.Result.IsOk ? outcome.Slot : throw Errors.For(outcome.Result, path);
    }

    /// <param name="watcher">Called once when the node is created, changed or deleted after this read.</param>
    /// <returns>The node's Stat, or null when it does not exist.</returns>
    public Task<Stat?> ExistsAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        ExistsAsync(path, ReadConsistency.Session, watcher, cancellationToken);

    /// <param name="consistency">See <see cref="GetDataAsync(string, ReadConsistency, Action{WatchEvent}?, CancellationToken)"/>.</param>
    /// <param name="watcher">Called once when the node is created, changed or deleted after this read.</param>
    /// <returns>The node's Stat, or null when it does not exist.</returns>
    public async Task<Stat?> ExistsAsync(
        string path, ReadConsistency consistency, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var response = await ReadAsync(ReadKind.Exists, path, consistency, watcher, cancellationToken).ConfigureAwait(false);
        return response.Code switch
        {
            ErrorCode.Ok => response.Stat,
            ErrorCode.NoNode => null,
            var code => throw Errors.For(code, path),
        };
    }

    /// <param name="watcher">Called once when the node's children change or it is deleted after this read.</param>
    public Task<IReadOnlyList<string>> GetChildrenAsync(string path, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default) =>
        GetChildrenAsync(path, ReadConsistency.Session, watcher, cancellationToken);

    /// <param name="consistency">See <see cref="GetDataAsync(string, ReadConsistency, Action{WatchEvent}?, CancellationToken)"/>.</param>
    /// <param name="watcher">Called once when the node's children change or it is deleted after this read.</param>
    public async Task<IReadOnlyList<string>> GetChildrenAsync(
        string path, ReadConsistency consistency, Action<WatchEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        var response = await ReadOkAsync(ReadKind.GetChildren, path, consistency, watcher, cancellationToken).ConfigureAwait(false);
        return response.Children;
    }

    /// <summary>Applies all the operations or none.</summary>
    /// <exception cref="CoordinatorException">The first failing operation's error, with its path; nothing changed.</exception>
    public async Task<IReadOnlyList<MultiOpResult>> MultiAsync(IEnumerable<Op> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var list = ops.ToList();
        foreach (var op in list.Where(op => op.Data is not null))
        {
            CheckData(op.Path, op.Data!);
        }
        var outcome = await WriteAsync(new Multi([.. list.Select(op => op.Transaction)]), cancellationToken).ConfigureAwait(false);
        switch (outcome.Result)
        {
            case MultiResult multi:
                return [.. multi.Results.Select((result, i) => ToMultiOpResult(list[i], result, outcome.Slot))];
            case MultiErrorResult failed:
                var failedPath = failed.FailedIndex >= 0 && failed.FailedIndex < list.Count ? list[failed.FailedIndex].Path : null;
                throw Errors.For(failed, failedPath);
            case var other:
                throw Errors.For(other, null);
        }
    }

    /// <summary>Waits until the attached replica has caught up with everything chosen before this call.</summary>
    public Task SyncAsync(CancellationToken cancellationToken = default) => WriteOkAsync(Sync.Instance, null, cancellationToken);

    /// <summary>
    /// Takes a lock (a namespace of its own, not a tree node). With <paramref name="wait"/> the session queues FIFO
    /// until granted; cancelling gives up the place in the queue (or releases a grant that raced the cancel).
    /// </summary>
    /// <param name="leaseTtl">Makes the grant a lease that outlives the session and lapses unless renewed.</param>
    /// <returns>The fencing token of the grant: it increases strictly with each grant of this lock.</returns>
    /// <exception cref="LockBusyException">Without <paramref name="wait"/>, the lock cannot be granted now.</exception>
    public async Task<long> AcquireLockAsync(
        string path,
        LockMode mode = LockMode.Exclusive,
        bool wait = true,
        TimeSpan? leaseTtl = null,
        CancellationToken cancellationToken = default)
    {
        if (mode is not (LockMode.Exclusive or LockMode.Shared or LockMode.Upgradeable))
        {
            // The wire has no room for another mode, so it is refused here rather than by the cluster.
            throw new ArgumentOutOfRangeException(
                nameof(mode), mode, $"mode {(int)mode} is not a lock mode: must be {LockMode.Exclusive}, {LockMode.Shared} or {LockMode.Upgradeable}.");
        }
        return await AcquireAsync(new Acquire(path, mode, wait, LeaseMs(leaseTtl)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes one permit of a counting semaphore (in the lock namespace, like a lock): up to
    /// <paramref name="maxCount"/> sessions hold it at once, the rest queue FIFO with <paramref name="wait"/>, and
    /// every grant has its own fencing token. A session holds at most one permit of a semaphore;
    /// <see cref="ReleaseLockAsync"/> gives it back, and the session's end does too.
    /// </summary>
    /// <param name="maxCount">Every session must name the same count while anyone holds or waits for the semaphore.</param>
    /// <param name="leaseTtl">Makes the permit a lease that outlives the session and lapses unless renewed.</param>
    /// <returns>The fencing token of the grant: it increases strictly with each grant of this semaphore.</returns>
    /// <exception cref="LockBusyException">Without <paramref name="wait"/>, every permit is held (or a lock-delay runs).</exception>
    /// <exception cref="CoordinatorException">Code BadArguments: the path is a lock, or a semaphore of another count.</exception>
    public async Task<long> AcquireSemaphoreAsync(
        string path,
        int maxCount,
        bool wait = true,
        TimeSpan? leaseTtl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return await AcquireAsync(new Acquire(path, LockMode.Shared, wait, LeaseMs(leaseTtl), maxCount), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns this session's <see cref="LockMode.Upgradeable"/> hold of <paramref name="path"/> into the
    /// <see cref="LockMode.Exclusive"/> one once no other session holds it. While it waits, nobody else is granted the
    /// lock, so readers arriving meanwhile queue behind the upgrade and cannot starve it. Cancelling gives the upgrade
    /// up and keeps the upgradeable hold, unless the write grant raced the cancellation: then the write lock is held
    /// and its token returned.
    /// </summary>
    /// <returns>The write grant's fencing token, above every earlier token of the lock (the upgradeable one is stale now).</returns>
    /// <exception cref="LockBusyException">Without <paramref name="wait"/>, another session still holds the lock (or a lock-delay runs).</exception>
    /// <exception cref="NotLockHolderException">This session does not hold the lock.</exception>
    /// <exception cref="CoordinatorException">Code BadArguments: the hold is not upgradeable; LockAlreadyRequested: an upgrade already waits.</exception>
    public async Task<long> UpgradeLockAsync(string path, bool wait = true, CancellationToken cancellationToken = default)
    {
        var upgrading = WriteAsync(new Upgrade(path, wait), CancellationToken.None, path);
        WriteOutcome outcome;
        try
        {
            outcome = await upgrading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await GiveUpUpgradeAsync(upgrading, path).ConfigureAwait(false) ?? throw new OperationCanceledException(cancellationToken);
        }
        switch (outcome.Result)
        {
            case LockAcquiredResult acquired:
                return acquired.Token;
            case LockQueuedResult:
                try
                {
                    return await outcome.LockGrant!.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return await GiveUpUpgradeAsync(upgrading, path).ConfigureAwait(false) ?? throw new OperationCanceledException(cancellationToken);
                }
            case var other:
                throw Errors.For(other, path);
        }
    }

    /// <returns>Null when the upgrade was given up; the write token when it was granted before the withdrawal applied.</returns>
    private async Task<long?> GiveUpUpgradeAsync(Task<WriteOutcome> upgrading, string path)
    {
        // Queued right behind the Upgrade: whatever the caller does next reaches the cluster after it.
        var withdrawing = WriteAsync(new Withdraw(path), CancellationToken.None);
        var outcome = await upgrading.ConfigureAwait(false);
        var withdrawn = await withdrawing.ConfigureAwait(false);
        return outcome.Result switch
        {
            LockAcquiredResult acquired => acquired.Token,
            LockQueuedResult when withdrawn.Result.Code == ErrorCode.NotLockWaiter => await outcome.LockGrant!.ConfigureAwait(false),
            LockQueuedResult => null,
            var other => throw Errors.For(other, path),
        };
    }

    private static long? LeaseMs(TimeSpan? leaseTtl) => leaseTtl is { } l ? (long)l.TotalMilliseconds : null;

    private async Task<long> AcquireAsync(Acquire acquire, CancellationToken cancellationToken)
    {
        var path = acquire.Path;
        if (_undoing.TryGetValue(path, out var undoing))
        {
            // A cancelled acquire of this lock may have been granted meanwhile; until it is given back, a new
            // request would only be refused as already requested.
            await undoing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        var acquiring = WriteAsync(acquire, CancellationToken.None, path);
        WriteOutcome outcome;
        try
        {
            outcome = await acquiring.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Undo(acquiring, path);
            throw;
        }
        switch (outcome.Result)
        {
            case LockAcquiredResult acquired:
                return acquired.Token;
            case LockQueuedResult:
                try
                {
                    return await outcome.LockGrant!.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    Undo(acquiring, path);
                    throw;
                }
            case var other:
                throw Errors.For(other, path);
        }
    }

    public Task ReleaseLockAsync(string path, CancellationToken cancellationToken = default) =>
        WriteOkAsync(new Release(path), path, cancellationToken);

    public Task RenewLeaseAsync(string path, CancellationToken cancellationToken = default) =>
        WriteOkAsync(new RenewLease(path), path, cancellationToken);

    /// <summary>For a resource server: is <paramref name="token"/> still a current holder's fencing token?</summary>
    public async Task<bool> CheckTokenAsync(string path, long token, CancellationToken cancellationToken = default)
    {
        var outcome = await WriteAsync(new CheckToken(path, token), cancellationToken, path).ConfigureAwait(false);
        return outcome.Result.Code switch
        {
            ErrorCode.Ok => true,
            ErrorCode.StaleToken => false,
            _ => throw Errors.For(outcome.Result, path),
        };
    }

    /// <summary>
    /// Every change of the node (or, with <paramref name="recursive"/>, of it and every node below it), from the
    /// moment the replica registers the watch (<see cref="WatchStream.Registered"/>) until the stream is disposed.
    /// Ends with <see cref="SessionExpiredException"/> when the session ends.
    /// </summary>
    /// <param name="cancellationToken">Cancels the registration and ends the stream; the watch is then removed.</param>
    public WatchStream WatchAsync(string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        Watch(path, recursive, null, cancellationToken);

    /// <summary>
    /// Like <see cref="WatchAsync(string, bool, CancellationToken)"/>, but from a slot on: every change applied after
    /// <paramref name="fromSlot"/>, then every later one, each once (etcd's watch from a revision, on a tree). Take
    /// the slot from a read's <see cref="Stat"/> (its ModifiedSlot, or <see cref="LastSeenSlot"/> after the read) or
    /// from a write's result, and nothing between the read and the watch is missed. When the replica's history no
    /// longer reaches back that far, the first event is <see cref="WatchEventType.Compacted"/>: read again.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromSlot"/> is negative.</exception>
    public WatchStream WatchAsync(string path, bool recursive, long fromSlot, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSlot);
        return Watch(path, recursive, EventPosition.After(fromSlot), cancellationToken);
    }

    /// <summary>Closes the session (best effort, bounded by the request timeout) and stops the client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (State is not (ConnectionState.Expired or ConnectionState.Closed))
        {
            try
            {
                await WriteAsync(CloseSession.Instance, CancellationToken.None).WaitAsync(_options.RequestTimeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or CoordinatorException or ObjectDisposedException)
            {
                // The cluster expires the session by itself after its timeout.
            }
        }
        var stopped = NewCompletion();
        _actor.Tell(new Shutdown(stopped));
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _actor.Tell(PoisonPill.Instance);
        await ClientSystem.ReleaseAsync(_system).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Like <see cref="WatchAsync(string, bool, CancellationToken)"/>, but returns once the replica acknowledged the watch, so that a read started
    /// after it cannot miss a change: whatever the read does not see yet arrives as an event.
    /// </summary>
    /// <returns>Ends the subscription.</returns>
    internal async Task<Action> SubscribeAsync(
        string path,
        bool recursive,
        Action<WatchEvent> deliver,
        Action<Exception> end,
        CancellationToken cancellationToken)
    {
        var registration = new WatchRegistration(path, recursive ? WatchKind.PersistentRecursive : WatchKind.Persistent);
        var subscription = new WatchSubscription(registration, deliver, end);
        var acknowledged = NewCompletion();
        _actor.Tell(new Subscribe(subscription, acknowledged));
        try
        {
            await acknowledged.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _actor.Tell(new Unsubscribe(subscription));
            throw;
        }
        return () => _actor.Tell(new Unsubscribe(subscription));
    }

    private WatchStream Watch(string path, bool recursive, EventPosition? from, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
        var registration = new WatchRegistration(path, recursive ? WatchKind.PersistentRecursive : WatchKind.Persistent);
        var subscription = new WatchSubscription(registration, e => events.Writer.TryWrite(e), error => events.Writer.TryComplete(error), from);
        var acknowledged = NewCompletion();
        _actor.Tell(new Subscribe(subscription, acknowledged));
        var stream = new WatchStream(events, RegisteredAsync(acknowledged.Task, subscription, cancellationToken), () => _actor.Tell(new Unsubscribe(subscription)), cancellationToken);
        // A cancelled registration removes the watch even when nobody enumerates the stream.
        _ = stream.Registered.ContinueWith(_ => stream.DisposeAsync(), CancellationToken.None, TaskContinuationOptions.OnlyOnCanceled, TaskScheduler.Default);
        return stream;
    }

    private static async Task<long> RegisteredAsync(Task acknowledged, WatchSubscription subscription, CancellationToken cancellationToken)
    {
        await acknowledged.WaitAsync(cancellationToken).ConfigureAwait(false);
        return subscription.RegisteredAt.Slot;
    }

    /// <summary>Stops the client without closing its session, as if its process died: the cluster expires the session.</summary>
    internal Task AbandonAsync()
    {
        Interlocked.Exchange(ref _disposed, 1);
        _system.Stop(_actor);
        return ClientSystem.ReleaseAsync(_system);
    }

    private void Undo(Task<WriteOutcome> acquiring, string path)
    {
        var undoing = UndoAcquireAsync(acquiring, path);
        _undoing[path] = undoing;
        _ = undoing.ContinueWith(_ => _undoing.TryRemove(new KeyValuePair<string, Task>(path, undoing)), TaskScheduler.Default);
    }

    private async Task UndoAcquireAsync(Task<WriteOutcome> acquiring, string path)
    {
        // The withdrawal is queued now, behind the Acquire and ahead of whatever the caller does next: a retry of
        // the same lock must never reach the cluster while this place in its queue still exists.
        var withdrawing = WriteAsync(new Withdraw(path), CancellationToken.None);
        try
        {
            var outcome = await acquiring.ConfigureAwait(false);
            var withdrawn = await withdrawing.ConfigureAwait(false);
            var grantedAnyway = outcome.Result is LockAcquiredResult
                || (outcome.Result is LockQueuedResult && withdrawn.Result.Code == ErrorCode.NotLockWaiter);
            if (grantedAnyway)
            {
                // Granted before the cancellation reached the cluster: give it back.
                await WriteAsync(new Release(path), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is CoordinatorException or ObjectDisposedException)
        {
            // The session is gone or unreachable; its end releases the lock and the queue place.
        }
    }

    private static MultiOpResult ToMultiOpResult(Op op, OpResult result, long slot) => result switch
    {
        CreatedResult created => new MultiOpResult.Created(created.Path, created.Stat),
        StatResult stat => new MultiOpResult.DataSet(stat.Stat),
        _ when op.Transaction is Delete => new MultiOpResult.Deleted(slot),
        _ => new MultiOpResult.Checked(slot),
    };

    private void CheckData(string path, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length > _options.MaxDataBytes)
        {
            throw new DataTooLargeException(path);
        }
    }

    private async Task<OpResult> WriteOkAsync(Transaction transaction, string? path, CancellationToken cancellationToken)
    {
        var outcome = await WriteAsync(transaction, cancellationToken, path).ConfigureAwait(false);
        return outcome.Result.IsOk ? outcome.Result : throw Errors.For(outcome.Result, path);
    }

    /// <summary>
    /// Cancelling stops the wait; a write not yet sent is dropped, one already sent still applies (exactly once)
    /// because the session's writes must stay in sequence.
    /// </summary>
    /// <param name="path">What the call is about, for its trace span.</param>
    private async Task<WriteOutcome> WriteAsync(Transaction transaction, CancellationToken cancellationToken, string? path = null)
    {
        var completion = new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        var encoded = TransactionCodec.Encode(transaction);
        var operation = ClientTelemetry.StartWrite(encoded, path, SessionId);
        _actor.Tell(new SubmitWrite(transaction, encoded, completion));
        try
        {
            var outcome = await completion.Task.ConfigureAwait(false);
            operation.Complete(outcome.Result.Code);
            return outcome;
        }
        catch (Exception failure)
        {
            operation.Fail(failure);
            throw;
        }
    }

    private async Task<ReadResponse> ReadOkAsync(
        ReadKind kind, string path, ReadConsistency consistency, Action<WatchEvent>? watcher, CancellationToken cancellationToken)
    {
        var response = await ReadAsync(kind, path, consistency, watcher, cancellationToken).ConfigureAwait(false);
        return response.Code == ErrorCode.Ok ? response : throw Errors.For(response.Code, path);
    }

    private async Task<ReadResponse> ReadAsync(
        ReadKind kind, string path, ReadConsistency consistency, Action<WatchEvent>? watcher, CancellationToken cancellationToken)
    {
        if (consistency is not (ReadConsistency.Session or ReadConsistency.Linearizable))
        {
            throw new ArgumentOutOfRangeException(nameof(consistency), consistency, "not a read consistency");
        }
        ArgumentNullException.ThrowIfNull(path);
        var completion = new TaskCompletionSource<ReadResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        var operation = ClientTelemetry.StartRead(kind, path, SessionId);
        _actor.Tell(new SubmitRead(kind, path, watcher, completion, consistency == ReadConsistency.Linearizable));
        try
        {
            var response = await completion.Task.ConfigureAwait(false);
            operation.Complete(response.Code);
            return response;
        }
        catch (Exception failure)
        {
            operation.Fail(failure);
            throw;
        }
    }

    private static TaskCompletionSource NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
