using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Coordinator.Service.Persistence;

/// <summary>
/// Flushes a directory's entries to the disk on Linux and macOS: a renamed file is durable only once its directory is,
/// and .NET offers no way to open a directory. Windows journals the rename with NTFS's metadata, and has no equivalent.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open {directory} to flush it", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"cannot flush {directory}", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
