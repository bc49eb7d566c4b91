using System.Diagnostics;

namespace Coordinator.Client;

/// <summary>
/// The monotonic milliseconds every actor of the client library hands its cores: one origin for the process, so a
/// heartbeat's send time noted by the shared heartbeat means the same to each session's deadline.
/// </summary>
internal static class ClientClock
{
    private static readonly long Origin = Stopwatch.GetTimestamp();

    public static long NowMs => (long)Stopwatch.GetElapsedTime(Origin).TotalMilliseconds;
}
