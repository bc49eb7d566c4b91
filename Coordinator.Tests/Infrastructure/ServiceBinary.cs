namespace Coordinator.Tests.Infrastructure;

/// <summary>Finds the built executables (the replica, the coord CLI, the benchmarks) that match this test build (Debug or Release).</summary>
internal static class ServiceBinary
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Path => Built("Coordinator.Service", "Coordinator.Service.dll");

    public static string CliPath => Built("Coordinator.Cli", "coord.dll");

    /// <summary>The benchmark program, whose <c>hold-sessions</c> workload is a client process holding many sessions.</summary>
    public static string BenchPath => Built("Coordinator.Bench", "Coordinator.Bench.dll");

    /// <summary>Debug or Release: the configuration this test build (and so every project beside it) was built in.</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar)).Parent!.Name;

    private static string Built(string project, string assembly)
    {
        // Test output lives in Coordinator.Tests/bin/<Configuration>/<tfm>/; the other projects build beside it.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var dll = System.IO.Path.Combine(RepositoryRoot, project, "bin", configuration, framework.Name, assembly);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first: {dll} is missing.");
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
