namespace Coordinator.Client.Recipes;

/// <param name="Data">The node's data after the change; null when it was removed.</param>
public sealed record TreeCacheChange(TreeCacheChangeType Type, string Path, byte[]? Data);
