namespace Coordinator.Client.Recipes;

/// <summary>Changes applied to the cache together; <see cref="CoordinatorTreeCache.Nodes"/> already shows them.</summary>
public sealed class TreeCacheChangedEventArgs(IReadOnlyList<TreeCacheChange> changes) : EventArgs
{
    public IReadOnlyList<TreeCacheChange> Changes { get; } = changes;
}
