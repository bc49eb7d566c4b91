namespace Coordinator.Client.Recipes;

/// <summary>Whether a <see cref="CoordinatorTreeCache"/> (and the configuration it feeds) follows the cluster.</summary>
public enum TreeCacheState
{
    /// <summary>Loaded, and every change is applied as its event arrives (a disconnection that keeps the session is not a gap).</summary>
    Current,

    /// <summary>
    /// Its session ended: the cache keeps the last state it saw, and changes since are not shown until a new session
    /// has re-read the subtree (a cache that owns its sessions opens one at once; one over an application's client stays here).
    /// </summary>
    Stale,
}
