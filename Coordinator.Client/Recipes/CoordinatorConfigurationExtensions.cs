using Coordinator.Client;
using Coordinator.Client.Recipes;

namespace Microsoft.Extensions.Configuration;

public static class CoordinatorConfigurationExtensions
{
    /// <summary>Adds the subtree at <paramref name="root"/> as configuration that reloads whenever it changes.</summary>
    public static IConfigurationBuilder AddCoordinator(this IConfigurationBuilder builder, string root, CoordinatorConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Add(new CoordinatorConfigurationSource(root, options));
    }

    /// <inheritdoc cref="AddCoordinator(IConfigurationBuilder, string, CoordinatorConfigurationOptions)"/>
    public static IConfigurationBuilder AddCoordinator(this IConfigurationBuilder builder, string root, CoordinatorClient client) =>
        builder.AddCoordinator(root, new CoordinatorConfigurationOptions { Client = client });
}
