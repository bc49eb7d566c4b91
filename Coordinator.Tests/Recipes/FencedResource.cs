namespace Coordinator.Tests.Recipes;

/// <summary>A resource server that accepts a write only with a fencing token at least as new as any it has seen.</summary>
internal sealed class FencedResource
{
    private readonly Lock _gate = new();
    private long _highestToken;
    private int _holders;

    public int Writes { get; private set; }

    public int StaleAccepted { get; private set; }

    public int Overlaps { get; private set; }

    public bool TryWrite(long token)
    {
        lock (_gate)
        {
            if (token < _highestToken)
            {
                return false;
            }
            _highestToken = token;
            Writes++;
            return true;
        }
    }

    /// <summary>A write the caller knows to be stale; counted if accepted.</summary>
    public void WriteStale(long token)
    {
        if (TryWrite(token))
        {
            lock (_gate)
            {
                StaleAccepted++;
            }
        }
    }

    public void Enter()
    {
        if (Interlocked.Increment(ref _holders) > 1)
        {
            lock (_gate)
            {
                Overlaps++;
            }
        }
    }

    public void Exit() => Interlocked.Decrement(ref _holders);
}
