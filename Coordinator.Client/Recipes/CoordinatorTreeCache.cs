using System.Collections.Immutable;
using System.Threading.Channels;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A local copy of a subtree kept current, like Curator's CuratorCache: a persistent recursive watch, acknowledged
/// before the initial load so that nothing falls between them, then each event re-reads what it names. After a
/// reconnection the whole subtree is read again and compared, so that a change the watch could not report still
/// shows. Changes are applied one batch at a time, in order, on a task of the cache's own.
/// </summary>
public sealed class CoordinatorTreeCache : IAsyncDisposable
{
    private readonly CoordinatorClient _client;
    private readonly CancellationTokenSource _stop = new();

    // A null item asks for a full resynchronization.
    private readonly Channel<WatchEvent?> _work = Channel.CreateUnbounded<WatchEvent?>(new UnboundedChannelOptions { SingleReader = true });
    private ImmutableSortedDictionary<string, byte[]> _nodes = ImmutableSortedDictionary.Create<string, byte[]>(StringComparer.Ordinal);
    private Action? _unsubscribe;
    private Task _loop = Task.CompletedTask;

    public CoordinatorTreeCache(CoordinatorClient client, string root)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(root);
        _client = client;
        Root = root;
    }

    public string Root { get; }

    /// <summary>Every node of the subtree (the root included when it exists) by absolute path, with its data.</summary>
    public IReadOnlyDictionary<string, byte[]> Nodes => Volatile.Read(ref _nodes);

    /// <summary>Ends when the cache is disposed, or faulted (<see cref="SessionExpiredException"/>) when the session ends.</summary>
    public Task Completion => _loop;

    /// <summary>Raised for the initial load and each later batch of changes, never concurrently. Handlers must not throw.</summary>
    public event EventHandler<TreeCacheChangedEventArgs>? Changed;

    /// <summary>Watches the subtree, loads it, and keeps it current until disposed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _client.ConnectionStateChanged += OnStateChanged;
        _unsubscribe = await _client.SubscribeAsync(
            Root,
            recursive: true,
            e => _work.Writer.TryWrite(e),
            error => _work.Writer.TryComplete(error),
            cancellationToken).ConfigureAwait(false);
        Publish(await LoadAsync(Root, cancellationToken).ConfigureAwait(false));
        _loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _client.ConnectionStateChanged -= OnStateChanged;
        _unsubscribe?.Invoke();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private void OnStateChanged(object? sender, ConnectionStateChangedEventArgs e)
    {
        if (e.State == ConnectionState.Reconnected)
        {
            _work.Writer.TryWrite(null);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var item in _work.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
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
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task<ImmutableSortedDictionary<string, byte[]>> RefreshAsync(WatchEvent e, CancellationToken cancellationToken)
    {
        var nodes = _nodes.ToBuilder();
        if (e.Type == WatchEventType.NodeDataChanged)
        {
            try
            {
                nodes[e.Path] = (await _client.GetDataAsync(e.Path, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
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
            nodes[path] = (await _client.GetDataAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false)).Data;
            children = await _client.GetChildrenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
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
