using System.CommandLine;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>
/// snapshot save and inspect: a backup of the replicated state at a known slot, taken while writes go on, and its
/// header. Restore with <c>Coordinator.Service --restore FILE</c> on each replica of a new cluster.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create(Func<ParseResult, CliContext> context)
    {
        var saveFile = new Argument<string>("file") { Description = "where to write the backup (replaced if it exists)" };
        var save = new Command("save", "save a backup of the cluster's state, taken at one replica's applied slot") { saveFile };
        save.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            BackupHeader header;
            try
            {
                header = await ClusterBackup.SaveAsync(new CoordinatorClientOptions { Servers = [.. cli.Servers], Tls = cli.Tls }, parse.GetValue(saveFile)!, cli.Timeout, ct);
            }
            catch (ConnectionLossException lost)
            {
                return Failures.Fail(ExitCodes.Unreachable, lost.Message);
            }
            catch (InvalidDataException damaged)
            {
                return Failures.Fail(ExitCodes.OperationFailed, $"nothing was saved: {damaged.Message}");
            }
            catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
            {
                return Failures.Fail(ExitCodes.OperationFailed, $"could not write {parse.GetValue(saveFile)}: {failure.Message}");
            }
            cli.Print($"saved {parse.GetValue(saveFile)}: cluster {header.ClusterId}, applied below slot {header.AppliedBelow}, {header.StateBytes} state bytes, sha-256 {header.Checksum}",
                Describe(parse.GetValue(saveFile)!, header));
            return ExitCodes.Ok;
        });

        var inspectFile = new Argument<string>("file") { Description = "a backup written by coord snapshot save" };
        var inspect = new Command("inspect", "print a backup's header after checking the whole file against its checksum") { inspectFile };
        inspect.SetAction(parse =>
        {
            var cli = context(parse);
            var path = parse.GetValue(inspectFile)!;
            BackupHeader header;
            try
            {
                header = ClusterBackup.Inspect(path);
            }
            catch (InvalidDataException refused)
            {
                return Failures.Fail(ExitCodes.Usage, refused.Message);
            }
            cli.Print(string.Join('\n',
                $"file           {path}",
                $"format         {header.FormatVersion}",
                $"cluster id     {header.ClusterId}",
                $"applied below  slot {header.AppliedBelow}",
                $"leader time    {DateTimeOffset.FromUnixTimeMilliseconds(header.LastTimestamp):O}",
                $"saved at       {header.SavedAt:O}",
                $"state bytes    {header.StateBytes}",
                $"sha-256        {header.Checksum} (checked)"),
                Describe(path, header));
            return ExitCodes.Ok;
        });
        return new Command("snapshot", "backups: save one from a running cluster, inspect a file") { save, inspect };
    }

    private static object Describe(string path, BackupHeader header) => new
    {
        file = path,
        format = header.FormatVersion,
        clusterId = header.ClusterId,
        appliedBelow = header.AppliedBelow,
        lastTimestamp = header.LastTimestamp,
        savedAt = header.SavedAt,
        stateBytes = header.StateBytes,
        sha256 = header.Checksum,
    };
}
