using Coordinator.Client;
using Coordinator.Client.Recipes;
using Medallion.Threading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class CoordinatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="CoordinatorClient"/> with options bound from <paramref name="configuration"/>
    /// (<c>Servers</c>, <c>SessionTimeout</c>, ...) and logging through the container's <see cref="ILoggerFactory"/> if it
    /// has one, and its locks as DistributedLock providers. The client connects
    /// when first resolved, blocking that resolution; the container disposes it (closing the session).
    /// </summary>
    public static IServiceCollection AddCoordinatorClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CoordinatorClientOptions>().Bind(configuration)
            .PostConfigure<IServiceProvider>((options, provider) => options.LoggerFactory ??= provider.GetService<ILoggerFactory>());
        services.AddSingleton(provider =>
            CoordinatorClient.ConnectAsync(provider.GetRequiredService<IOptions<CoordinatorClientOptions>>().Value).GetAwaiter().GetResult());
        services.AddSingleton(provider => provider.GetRequiredService<CoordinatorClient>().Locks);
        services.AddSingleton<IDistributedLockProvider>(provider => provider.GetRequiredService<CoordinatorLocks>());
        services.AddSingleton<IDistributedReaderWriterLockProvider>(provider => provider.GetRequiredService<CoordinatorLocks>());
        return services;
    }
}
