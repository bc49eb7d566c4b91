using System.Collections.Immutable;
using System.Threading.Channels;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A local copy of a subtree kept current, like Curator's CuratorCache: a persistent recursive watch, acknowledged
/// before the initial load so that nothing falls between them, then each event re-reads what it names. After a
/// reconnection the whole subtree is read again and compared, so that a change the watch could not report still
/// shows. Changes are applied one batch at a time, in order, on a task of the cache's own.
/// </summary>
/// <remarks>
/// Sessions end (a partition longer than the session timeout expires one). A cache built over client options owns
/// its sessions and outlives them: when one ends it goes <see cref="TreeCacheState.Stale"/>, opens a new session,
/// watches and re-reads the subtree (publishing what changed meanwhile as one batch) and is
/// <see cref="TreeCacheState.Current"/> again. A cache over an application's client cannot replace it: it goes
/// Stale and ends.
/// </remarks>
public sealed class CoordinatorTreeCache : IAsyncDisposable
{
    /// <summary>How long a cache that owns its sessions waits between attempts to open a new one.</summary>
    public static readonly TimeSpan RenewDelay = TimeSpan.FromSeconds(1);

    private readonly CoordinatorClientOptions? _clientOptions;
    private readonly CancellationTokenSource _stop = new();

    // A null item asks for a full resynchronization. One channel per session: the watch's end completes it.
    private Channel<WatchEvent?> _work = NewWork();
    private ImmutableSortedDictionary<string, byte[]> _nodes = ImmutableSortedDictionary.Create<string, byte[]>(StringComparer.Ordinal);
    private CoordinatorClient? _client;
    private Action? _unsubscribe;
    private Task _loop = Task.CompletedTask;
    private int _state = (int)TreeCacheState.Current;

    /// <summary>A cache over the application's client, which it does not dispose; it ends with the client's session.</summary>
    public CoordinatorTreeCache(CoordinatorClient client, string root)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(root);
        _client = client;
        Root = root;
    }

    /// <summary>A cache that connects, and replaces, its own sessions with these options, and disposes them.</summary>
    public CoordinatorTreeCache(CoordinatorClientOptions clientOptions, string root)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentException.ThrowIfNullOrEmpty(root);
        clientOptions.Validate();
        _clientOptions = clientOptions;
        Root = root;
    }

    public string Root { get; }

    /// <summary>The current session's client: the application's, or the one this cache opened last.</summary>
    private CoordinatorClient Client => _client ?? throw new InvalidOperationException("The cache has not been started.");

    /// <summary>Every node of the subtree (the root included when it exists) by absolute path, with its data.</summary>
    public IReadOnlyDictionary<string, byte[]> Nodes => Volatile.Read(ref _nodes);

    /// <summary>Whether the cache follows the cluster, or shows what it saw before its session ended.</summary>
    public TreeCacheState State => (TreeCacheState)Volatile.Read(ref _state);

    /// <summary>
    /// Ends when the cache is disposed; for a cache over an application's client, faulted
    /// (<see cref="SessionExpiredException"/>) when the session ends.
    /// </summary>
    public Task Completion => _loop;

    /// <summary>
    /// Raised when <see cref="State"/> changes, and for each failed attempt to open a new session (still Stale, with
    /// the attempt's error), on the cache's task. Handlers must not throw.
    /// </summary>
    public event EventHandler<TreeCacheStateChangedEventArgs>? StateChanged;

    /// <summary>Raised for the initial load and each later batch of changes, never concurrently. Handlers must not throw.</summary>
    public event EventHandler<TreeCacheChangedEventArgs>? Changed;

    /// <summary>Watches the subtree, loads it, and keeps it current until disposed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_clientOptions is not null)
        {
            _client = await CoordinatorClient.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await AttachAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (_clientOptions is not null)
        {
            await _client!.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Detach();
        if (_clientOptions is not null && _client is { } owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
        _stop.Dispose();
    }

    private static Channel<WatchEvent?> NewWork() => Channel.CreateUnbounded<WatchEvent?>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Watches the subtree on the current session and publishes what a full read finds.</summary>
    private async Task AttachAsync(CancellationToken cancellationToken)
    {
        var client = Client;
        var work = NewWork();
        _work = work;
        client.ConnectionStateChanged += OnStateChanged;
        _unsubscribe = await client.SubscribeAsync(
            Root,
            recursive: true,
            e => work.Writer.TryWrite(e),
            error => work.Writer.TryComplete(error),
            cancellationToken).ConfigureAwait(false);
        Publish(await LoadAsync(Root, cancellationToken).ConfigureAwait(false));
    }

    private void Detach()
    {
        if (_client is { } client)
        {
            client.ConnectionStateChanged -= OnStateChanged;
        }
        _unsubscribe?.Invoke();
        _unsubscribe = null;
    }

    private void OnStateChanged(object? sender, ConnectionStateChangedEventArgs e)
    {
        if (e.State == ConnectionState.Reconnected && sender == _client)
        {
            _work.Writer.TryWrite(null);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                try
                {
                    await FollowAsync(_work.Reader).ConfigureAwait(false);
                    return;
                }
                catch (Exception e) when (e is SessionExpiredException or ObjectDisposedException && !_stop.IsCancellationRequested)
                {
                    SetState(TreeCacheState.Stale, e);
                    if (_clientOptions is null)
                    {
                        throw;
                    }
                    await RenewAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>Applies the current session's events until its watch ends.</summary>
    private async Task FollowAsync(ChannelReader<WatchEvent?> work)
    {
        await foreach (var item in work.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                Publish(item is null ? await LoadAsync(Root, _stop.Token).ConfigureAwait(false) : await RefreshAsync(item, _stop.Token).ConfigureAwait(false));
            }
            catch (Exception e) when (e is ConnectionLossException or RequestRejectedException)
            {
                // What this item would have shown is read again in full once a server answers.
                await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
                _work.Writer.TryWrite(null);
            }
        }
    }

    /// <summary>Replaces the ended session with a new one, watching and re-reading, until one works or the cache is disposed.</summary>
    private async Task RenewAsync()
    {
        while (true)
        {
            Detach();
            await Client.DisposeAsync().ConfigureAwait(false);
            try
            {
                _client = await CoordinatorClient.ConnectAsync(_clientOptions!, _stop.Token).ConfigureAwait(false);
                await AttachAsync(_stop.Token).ConfigureAwait(false);
                SetState(TreeCacheState.Current, null);
                return;
            }
            catch (CoordinatorException e)
            {
                StateChanged?.Invoke(this, new TreeCacheStateChangedEventArgs(TreeCacheState.Stale, e));
                await Task.Delay(RenewDelay, _stop.Token).ConfigureAwait(false);
            }
        }
    }

    private void SetState(TreeCacheState state, Exception? error)
    {
        Volatile.Write(ref _state, (int)state);
        StateChanged?.Invoke(this, new TreeCacheStateChangedEventArgs(state, error));
    }

    private async Task<ImmutableSortedDictionary<string, byte[]>> RefreshAsync(WatchEvent e, CancellationToken cancellationToken)
    {
        var nodes = _nodes.ToBuilder();
        if (e.Type == WatchEventType.NodeDataChanged)
        {
            try
            {
                nodes[e.Path] = (await Client.GetDataAsync(e.Path, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
                return nodes.ToImmutable();
            }
            catch (NoNodeException)
            {
                // Deleted since: treated as the deletion whose event follows.
            }
        }
        nodes.RemoveRange(nodes.Keys.Where(path => IsInSubtree(path, e.Path)).ToList());
        if (e.Type != WatchEventType.NodeDeleted)
        {
            nodes.AddRange(await LoadAsync(e.Path, cancellationToken).ConfigureAwait(false));
        }
        return nodes.ToImmutable();
    }

    private async Task<ImmutableSortedDictionary<string, byte[]>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var nodes = ImmutableSortedDictionary.CreateBuilder<string, byte[]>(StringComparer.Ordinal);
        await LoadIntoAsync(path, nodes, cancellationToken).ConfigureAwait(false);
        return nodes.ToImmutable();
    }

    private async Task LoadIntoAsync(string path, ImmutableSortedDictionary<string, byte[]>.Builder nodes, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> children;
        try
        {
            nodes[path] = (await Client.GetDataAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
            children = await Client.GetChildrenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            // Deleted while loading: its deletion event follows.
            return;
        }
        foreach (var child in children)
        {
            await LoadIntoAsync(path == "/" ? "/" + child : path + "/" + child, nodes, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Publish(ImmutableSortedDictionary<string, byte[]> next)
    {
        var changes = Diff(_nodes, next);
        Volatile.Write(ref _nodes, next);
        if (changes.Count > 0)
        {
            Changed?.Invoke(this, new TreeCacheChangedEventArgs(changes));
        }
    }

    private static List<TreeCacheChange> Diff(IReadOnlyDictionary<string, byte[]> before, IReadOnlyDictionary<string, byte[]> after)
    {
        var changes = new List<TreeCacheChange>();
        foreach (var (path, data) in after)
        {
            if (!before.TryGetValue(path, out var old))
            {
                changes.Add(new TreeCacheChange(TreeCacheChangeType.Added, path, data));
            }
            else if (!old.AsSpan().SequenceEqual(data))
            {
                changes.Add(new TreeCacheChange(TreeCacheChangeType.Updated, path, data));
            }
        }
        changes.AddRange(before.Keys.Where(path => !after.ContainsKey(path)).Select(path => new TreeCacheChange(TreeCacheChangeType.Removed, path, null)));
        return changes;
    }

    private static bool IsInSubtree(string path, string root) =>
        path == root || path.StartsWith(root == "/" ? "/" : root + "/", StringComparison.Ordinal);
}
