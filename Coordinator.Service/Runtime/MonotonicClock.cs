using System.Diagnostics;

namespace Coordinator.Service.Runtime;

/// <summary>
/// Milliseconds since the Unix epoch that never go backwards within a process: the wall clock read once at start,
/// advanced by a monotonic stopwatch. The core compares these for timeouts and stamps them on slots.
/// </summary>
/// <param name="offset">Added to the wall clock read at start: zero but in the clock-offset fault injection.</param>
internal sealed class MonotonicClock(TimeSpan offset)
{
    private readonly long _startedAtUnixMs = DateTimeOffset.UtcNow.Add(offset).ToUnixTimeMilliseconds();
    private readonly long _startedAtTicks = Stopwatch.GetTimestamp();

    public long NowMs => _startedAtUnixMs + (long)Stopwatch.GetElapsedTime(_startedAtTicks).TotalMilliseconds;
}
