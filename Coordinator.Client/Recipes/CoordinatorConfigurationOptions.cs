namespace Coordinator.Client.Recipes;

/// <summary>Where a Coordinator configuration source reads from: a shared client, or options to connect its own.</summary>
public sealed class CoordinatorConfigurationOptions
{
    /// <summary>
    /// A client the application owns (and disposes); takes precedence over <see cref="ClientOptions"/>. The
    /// configuration stops following the cluster when this client's session ends: it cannot open another.
    /// </summary>
    public CoordinatorClient? Client { get; init; }

    /// <summary>
    /// Used to connect the provider's own sessions, which it replaces when one ends (a partition longer than the
    /// session timeout) and disposes with the configuration.
    /// </summary>
    public CoordinatorClientOptions? ClientOptions { get; init; }

    /// <summary>How long building the configuration may wait for the connection and the initial load.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Called, on the provider's own task, when its session ends (the configuration keeps its last values, and
    /// misses changes, until a new session re-read them) and for each failed attempt to open a new one. Must not throw.
    /// </summary>
    public Action<Exception>? OnLoadException { get; init; }

    /// <summary>
    /// Called when the configuration goes <see cref="TreeCacheState.Stale"/> (its session ended) or is
    /// <see cref="TreeCacheState.Current"/> again (a new session re-read it, and reloaded what changed). Must not throw.
    /// </summary>
    public Action<TreeCacheState>? OnStateChanged { get; init; }
}
