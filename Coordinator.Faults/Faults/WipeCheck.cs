namespace Coordinator.Faults.Faults;

/// <summary>
/// Judges how a wiped replica (journal lost, identity kept) answered being started: it must exit non-zero with the
/// service's refusal line. Still running at the bound, or saying it is up, means it came back blank and could vote
/// away writes it had acknowledged; any other exit is a failure the harness cannot call a refusal.
/// </summary>
public static class WipeCheck
{
    public const string RefusalLine = "refuses to start: it has run before";

    /// <summary>The service's line once a replica serves: "replica N up on host:port (...)".</summary>
    public static bool SaysUp(string line) => line.Contains(" up on ", StringComparison.Ordinal) && line.StartsWith("replica ", StringComparison.Ordinal);

    /// <param name="exitCode">Null: the process still ran when the harness stopped waiting.</param>
    public static WipeResult Judge(int replica, int? exitCode, IReadOnlyList<string> lines, TimeSpan bound)
    {
        var refusal = lines.FirstOrDefault(line => line.Contains(RefusalLine, StringComparison.Ordinal));
        if (lines.FirstOrDefault(SaysUp) is { } up)
        {
            return new WipeResult(replica, Refused: false, $"replica {replica} started blank after its journal was wiped: \"{Shortened(up)}\"");
        }
        if (exitCode is null)
        {
            return refusal is null
                ? new WipeResult(replica, Refused: false, $"replica {replica} was still running {bound.TotalSeconds:0} s after its journal was wiped, without refusing")
                : new WipeResult(replica, Refused: false, $"replica {replica} printed its refusal but was still running {bound.TotalSeconds:0} s later");
        }
        if (exitCode == 0 || refusal is null)
        {
            return new WipeResult(replica, Refused: false,
                $"replica {replica} exited with code {exitCode} without the refusal line \"{RefusalLine}\"; last line: \"{lines.LastOrDefault()}\"");
        }
        return new WipeResult(replica, Refused: true, $"replica {replica} refused to start (exit code {exitCode}): \"{Shortened(refusal.Trim())}\"");
    }

    private static string Shortened(string line) => line.Length <= 140 ? line : line[..140] + "...";
}
