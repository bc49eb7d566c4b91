namespace Coordinator.Service.Runtime;

/// <summary>
/// An exclusive lock on <c>replica-&lt;id&gt;.lock</c> in the data directory, held while the replica runs, so a second
/// process started with the same id refuses at once instead of voting on the same journal (.NET takes FileShare.None
/// as an exclusive <c>flock</c> on Unix; the kernel releases it when the process dies, however it dies).
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <exception cref="ReplicaStartException">Another process holds the lock.</exception>
    public static DataDirectoryLock Take(string dataDir, int replicaId)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, $"replica-{replicaId}.lock");
        try
        {
            var file = OpenExclusive(path);
            file.SetLength(0);
            using (var writer = new StreamWriter(file, leaveOpen: true))
            {
                writer.Write(Environment.ProcessId);
            }
            file.Flush();
            return new DataDirectoryLock(file);
        }
        catch (IOException held)
        {
            throw new ReplicaStartException(
                $"replica {replicaId} is already running on {Path.GetFullPath(dataDir)} (another process holds {path}); " +
                "two processes with one id would vote twice with one journal", held);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Tries for a moment before giving up: a replica of this process that has just stopped, or a process that has just
    /// died, may not have let go yet.
    /// </summary>
    private static FileStream OpenExclusive(string path)
    {
        var deadline = Environment.TickCount64 + 2_000;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }
}
