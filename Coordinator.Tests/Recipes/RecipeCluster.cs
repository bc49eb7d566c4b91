using Coordinator.Tests.Client;

namespace Coordinator.Tests.Recipes;

/// <summary>Short sessions and lock-delay so that failover scenarios finish in seconds.</summary>
internal static class RecipeCluster
{
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan LockDelay = TimeSpan.FromMilliseconds(500);

    public static Task<ClientCluster> StartAsync() => ClientCluster.StartAsync("""
        coordinator.state-machine.min-session-timeout = 2s
        coordinator.state-machine.lock-delay = 500ms
        """);
}
