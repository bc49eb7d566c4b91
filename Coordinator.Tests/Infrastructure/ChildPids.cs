namespace Coordinator.Tests.Infrastructure;

/// <summary>
/// Writes down every process the tests start, so a CI run that is itself killed can stop exactly those and no
/// one else's (other checkouts run replicas of the same binary on this machine). Each line is "pid starttime",
/// the start time from /proc in clock ticks since boot, so a pid the kernel has since handed to another process
/// is never mistaken for ours. Only when COORDINATOR_TEST_PIDS names the file (.ci/run sets it).
/// </summary>
internal static class ChildPids
{
    public const string FileVariable = "COORDINATOR_TEST_PIDS";

    private static readonly Lock Gate = new();

    public static void Record(int pid)
    {
        if (Environment.GetEnvironmentVariable(FileVariable) is not { Length: > 0 } file || StartTime(pid) is not { } start)
        {
            return;
        }
        lock (Gate)
        {
            File.AppendAllText(file, $"{pid} {start}\n");
        }
    }

    /// <summary>Field 22 of /proc/pid/stat; null once the process is gone. The name (field 2) may hold spaces, so count from its ')'.</summary>
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
