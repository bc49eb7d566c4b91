using System.Globalization;
using System.Text.RegularExpressions;

namespace Coordinator.Faults.Harness;

/// <summary>
/// When each replica took the lead, and when a leader stepped down, read from the replicas' logs ("Replica N leads
/// with ballot ...", "Replica N stepped down"). A new leader gives every session a full fresh timeout, so the ephemeral
/// checker needs these to know how long an abandoned session may live; a leader that steps down before its expiry of a
/// session is chosen (check-quorum, when the replicas it needs stall) leaves the session to the next leader's timeout.
/// </summary>
internal static partial class LeaderElections
{
    public static IEnumerable<(DateTime At, int ReplicaId)> Read(string runDirectory) => Matches(runDirectory, Election());

    public static IEnumerable<(DateTime At, int ReplicaId)> ReadStepDowns(string runDirectory) => Matches(runDirectory, StepDown());

    private static IEnumerable<(DateTime At, int ReplicaId)> Matches(string runDirectory, Regex pattern) =>
        Directory.GetFiles(runDirectory, "replica-*.log")
            .SelectMany(File.ReadLines)
            .Select(line => pattern.Match(line))
            .Where(match => match.Success)
            .Select(match => (
                DateTime.ParseExact(match.Groups["at"].Value, "yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                int.Parse(match.Groups["replica"].Value, CultureInfo.InvariantCulture)))
            .OrderBy(election => election.Item1);

    /// <summary>The replica's text log line (Coordinator.Service's ConciseLogger): "2026-12-01T14:21:55.061Z INFO  [replica] Replica 1 leads with ballot ...".</summary>
    [GeneratedRegex(@"(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z .*Replica (?<replica>\d+) leads with ballot")]
    private static partial Regex Election();

    [GeneratedRegex(@"(?<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z .*Replica (?<replica>\d+) stepped down")]
    private static partial Regex StepDown();
}
