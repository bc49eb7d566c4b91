namespace Coordinator.Tests.Infrastructure;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix) =>
        Path = Directory.CreateTempSubdirectory($"coordinator-{prefix}-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that was just killed may still hold a file for a moment; the OS temp cleaner gets the rest.
        }
    }
}
