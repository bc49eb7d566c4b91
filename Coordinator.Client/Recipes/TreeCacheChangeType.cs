namespace Coordinator.Client.Recipes;

public enum TreeCacheChangeType
{
    Added,
    Updated,
    Removed,
}
