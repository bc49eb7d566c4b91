namespace Coordinator.Client.Recipes;

/// <summary>The recipes as members of the client, so that they read as part of it.</summary>
public static class CoordinatorClientRecipes
{
    extension(CoordinatorClient client)
    {
        /// <summary>Exclusive and reader/writer locks held by this client's session.</summary>
        public CoordinatorLocks Locks => new(client);

        /// <summary>The election called <paramref name="name"/>, campaigned in with this client's session.</summary>
        public LeaderElection Election(string name) => new(client, name);
    }
}
