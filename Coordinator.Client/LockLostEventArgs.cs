namespace Coordinator.Client;

/// <summary>A lock this session held was taken away (its lease lapsed); the fencing token is no longer current.</summary>
public sealed class LockLostEventArgs(string path, long token) : EventArgs
{
    public string Path { get; } = path;

    public long Token { get; } = token;
}
