namespace Coordinator.Client;

/// <summary>
/// Which server the session talks to: the shell's random first pick (so clients spread over the replicas), then,
/// after each failure (a create or attach left unanswered, an attach refused, the attached server silent, gone or
/// past the grace point), the next one in list order, wrapping around.
/// </summary>
internal sealed class ServerRotation
{
    public ServerRotation(int count, int first)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(first, count);
        Count = count;
        Current = first;
    }

    public int Count { get; }

    public int Current { get; private set; }

    public void Advance() => Current = (Current + 1) % Count;
}
