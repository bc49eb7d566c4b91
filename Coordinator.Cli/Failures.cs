using Coordinator.Client;

namespace Coordinator.Cli;

/// <summary>Turns what went wrong into one clear line on stderr and an exit code.</summary>
internal static class Failures
{
    public static async Task<int> Run(CliContext context, Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (InvalidPathException invalid)
        {
            return Fail(ExitCodes.Usage, $"invalid path: {invalid.Message}");
        }
        catch (AuthFailedException failed)
        {
            return Fail(ExitCodes.OperationFailed, $"login refused: {failed.Message}");
        }
        catch (SessionExpiredException)
        {
            return Fail(ExitCodes.SessionLost, "the session expired");
        }
        catch (Exception failure) when (failure is ConnectionLossException or RequestRejectedException or TimeoutException)
        {
            return await Diagnose(context);
        }
        catch (CoordinatorException refused)
        {
            return Fail(ExitCodes.OperationFailed, refused.Message);
        }
        catch (Exception invalid) when (invalid is ArgumentException or FormatException)
        {
            return Fail(ExitCodes.Usage, invalid.Message);
        }
    }

    public static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }

    /// <summary>A request got no answer: tell "nobody is there" from "they are there but cannot agree".</summary>
    private static async Task<int> Diagnose(CliContext context)
    {
        var reports = await context.StatusAsync(TimeSpan.FromSeconds(2));
        var reachable = reports.Where(report => report.Reachable).ToList();
        if (reachable.Count == 0)
        {
            return Fail(ExitCodes.Unreachable, $"no Coordinator server answered at {string.Join(", ", context.Servers)}");
        }
        var leader = reachable.FirstOrDefault(report => report.Role == "leader");
        return Fail(ExitCodes.NoQuorum,
            $"the cluster has no quorum: {reachable.Count} of {reports.Count} servers answered" +
            (leader is null ? ", none leads" : $", replica {leader.ReplicaId} leads but cannot commit"));
    }
}
