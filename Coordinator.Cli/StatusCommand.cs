using System.CommandLine;
using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>status and members: what each server says about itself; needs no session and no quorum.</summary>
internal static class StatusCommand
{
    public static IEnumerable<Command> Create(Func<ParseResult, CliContext> context)
    {
        var status = new Command("status", "each replica's role, ballot, leader, applied slot, sessions, watches and cluster id");
        status.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            var reports = await cli.StatusAsync(cli.Timeout, ct);
            foreach (var report in reports)
            {
                cli.Print(
                    report.Reachable
                        ? $"{report.Server,-21} replica {report.ReplicaId} {report.Role,-9} ballot {report.Ballot,-6} leader {report.LeaderId} applied<{report.AppliedBelow} chosen<{report.KnownChosenBelow} sessions {report.AttachedSessions} watches {report.Watches} cluster {report.ClusterId}"
                        : $"{report.Server,-21} unreachable ({report.Error})",
                    report);
            }
            return reports.Any(report => report.Reachable) ? ExitCodes.Ok : Failures.Fail(ExitCodes.Unreachable, $"no Coordinator server answered at {string.Join(", ", cli.Servers)}");
        });

        var members = new Command("members", "the Akka cluster membership as the first reachable server sees it");
        members.SetAction(async (parse, ct) =>
        {
            var cli = context(parse);
            var reports = await cli.StatusAsync(cli.Timeout, ct);
            if (reports.FirstOrDefault(report => report.Reachable) is not { } seen)
            {
                return Failures.Fail(ExitCodes.Unreachable, $"no Coordinator server answered at {string.Join(", ", cli.Servers)}");
            }
            cli.Print(string.Join('\n', seen.Members), new { seenBy = seen.Server, members = seen.Members });
            return ExitCodes.Ok;
        });
        return [status, members];
    }
}
