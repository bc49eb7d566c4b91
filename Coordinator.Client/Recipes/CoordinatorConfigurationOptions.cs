namespace Coordinator.Client.Recipes;

/// <summary>Where a Coordinator configuration source reads from: a shared client, or options to connect its own.</summary>
public sealed class CoordinatorConfigurationOptions
{
    /// <summary>A client the application owns (and disposes); takes precedence over <see cref="ClientOptions"/>.</summary>
    public CoordinatorClient? Client { get; init; }

    /// <summary>Used to connect a client owned, and disposed, by the configuration provider.</summary>
    public CoordinatorClientOptions? ClientOptions { get; init; }

    /// <summary>How long building the configuration may wait for the connection and the initial load.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
