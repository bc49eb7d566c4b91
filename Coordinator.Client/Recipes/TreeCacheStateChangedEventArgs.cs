namespace Coordinator.Client.Recipes;

/// <summary>The cache became <paramref name="state"/>; <paramref name="error"/> says why it went stale, or why a new session failed.</summary>
public sealed class TreeCacheStateChangedEventArgs(TreeCacheState state, Exception? error) : EventArgs
{
    public TreeCacheState State { get; } = state;

    public Exception? Error { get; } = error;
}
