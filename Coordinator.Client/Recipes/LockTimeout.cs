namespace Coordinator.Client.Recipes;

/// <summary>DistributedLock's timeout conventions: null or infinite waits forever, zero tries once.</summary>
internal static class LockTimeout
{
    public static TimeSpan? Validate(TimeSpan? timeout)
    {
        if (timeout is null || timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }
        return timeout.Value >= TimeSpan.Zero
            ? timeout
            : throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A timeout must be non-negative or infinite.");
    }

    public static TimeoutException Expired(string path, TimeSpan? timeout) =>
        new($"Lock {path} was not granted within {timeout}.");
}
