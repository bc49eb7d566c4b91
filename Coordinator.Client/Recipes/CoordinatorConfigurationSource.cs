using Microsoft.Extensions.Configuration;

namespace Coordinator.Client.Recipes;

internal sealed class CoordinatorConfigurationSource(string root, CoordinatorConfigurationOptions options) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new CoordinatorConfigurationProvider(root, options);
}
