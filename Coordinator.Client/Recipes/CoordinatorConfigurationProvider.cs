using System.Text;
using Microsoft.Extensions.Configuration;

namespace Coordinator.Client.Recipes;

/// <summary>
/// Configuration from a subtree: <c>{root}/Logging/LogLevel/Default</c> holding <c>Warning</c> (UTF-8) becomes the key
/// <c>Logging:LogLevel:Default</c>. A <see cref="CoordinatorTreeCache"/> keeps it current and each change reloads,
/// so <c>IOptionsMonitor</c> and change tokens see it. With <see cref="CoordinatorConfigurationOptions.ClientOptions"/>
/// the cache owns its sessions and opens a new one when one ends, so the configuration keeps reloading; the gap is
/// reported through the options' callbacks.
/// </summary>
internal sealed class CoordinatorConfigurationProvider(string root, CoordinatorConfigurationOptions options) : ConfigurationProvider, IDisposable
{
    private CoordinatorTreeCache? _cache;

    // ConfigurationProvider.Load is synchronous: building the configuration waits for the first load.
    public override void Load()
    {
        if (_cache is null)
        {
            StartAsync().GetAwaiter().GetResult();
        }
        Data = ToKeys(_cache!.Nodes);
    }

    public void Dispose() => _cache?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(options.StartTimeout);
        var cache = options.Client is { } client
            ? new CoordinatorTreeCache(client, root)
            : new CoordinatorTreeCache(
                options.ClientOptions ?? throw new InvalidOperationException($"{nameof(CoordinatorConfigurationOptions)} needs a Client or ClientOptions."),
                root);
        cache.Changed += (_, _) =>
        {
            Data = ToKeys(cache.Nodes);
            OnReload();
        };
        var state = TreeCacheState.Current;
        cache.StateChanged += (_, e) =>
        {
            if (e.Error is { } error)
            {
                options.OnLoadException?.Invoke(error);
            }
            if (e.State != state)
            {
                state = e.State;
                options.OnStateChanged?.Invoke(e.State);
            }
        };
        await cache.StartAsync(timeout.Token).ConfigureAwait(false);
        _cache = cache;
    }

    private Dictionary<string, string?> ToKeys(IReadOnlyDictionary<string, byte[]> nodes)
    {
        var prefix = root == "/" ? "/" : root + "/";
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, value) in nodes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                data[path[prefix.Length..].Replace('/', ':')] = Encoding.UTF8.GetString(value);
            }
        }
        return data;
    }
}
