using System.Runtime.InteropServices;

namespace Coordinator.Faults.Cluster;

/// <summary>POSIX signals the .NET Process API does not offer: pausing and resuming a process.</summary>
internal static class Signals
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    public static void Stop(int pid) => Send(pid, SigStop);

    public static void Continue(int pid) => Send(pid, SigCont);

    private static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
