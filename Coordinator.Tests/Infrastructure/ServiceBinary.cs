namespace Coordinator.Tests.Infrastructure;

/// <summary>Finds the built replica executable that matches this test build (Debug or Release).</summary>
internal static class ServiceBinary
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path
    {
        get
        {
            // Test output lives in Coordinator.Tests/bin/<Configuration>/<tfm>/; the service builds beside it.
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
            var configuration = framework.Parent!.Name;
            var dll = System.IO.Path.Combine(RepositoryRoot, "Coordinator.Service", "bin", configuration, framework.Name, "Coordinator.Service.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the service first: {dll} is missing.");
        }
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Coordinator.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Coordinator.sln not found above " + AppContext.BaseDirectory);
    }
}
