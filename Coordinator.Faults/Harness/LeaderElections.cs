using System.Globalization;
using System.Text.RegularExpressions;

namespace Coordinator.Faults.Harness;

/// <summary>
/// When each replica took the lead, read from the replicas' logs ("Replica N leads with ballot ..."). A new leader
/// gives every session a full fresh timeout, so the ephemeral checker needs these to know how long an abandoned
/// session may live.
/// </summary>
internal static partial class LeaderElections
{
    public static IEnumerable<(DateTime At, int ReplicaId)> Read(string runDirectory) =>
        Directory.GetFiles(runDirectory, "replica-*.log")
            .SelectMany(File.ReadLines)
            .Select(line => Election().Match(line))
            .Where(match => match.Success)
            .Select(match => (
                DateTime.ParseExact(match.Groups["at"].Value, "yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                int.Parse(match.Groups["replica"].Value, CultureInfo.InvariantCulture)))
            .OrderBy(election => election.Item1);

    /// <summary>The replica's text log line (Coordinator.Service's ConciseLogger): "2026-12-01T14:21:55.061Z INFO  [replica] Replica 1 leads with ballot ...".</summary>
    [GeneratedRegex(@"(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z .*Replica (?<replica>\d+) leads with ballot")]
    private static partial Regex Election();
}
