namespace Coordinator.Faults.Harness;

/// <summary>Finds the built Coordinator.Service.dll of the same configuration as this build, above this binary.</summary>
internal static class ServiceLocator
{
    public static string FindServiceDll()
    {
        // This binary lives in <project>/bin/<Configuration>/<tfm>/; the service builds beside it.
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!.Name;
        var root = framework;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Coordinator.sln")))
        {
            root = root.Parent;
        }
        if (root is null)
        {
            throw new FileNotFoundException($"Coordinator.sln not found above {AppContext.BaseDirectory}; pass --service PATH");
        }
        var dll = Path.Combine(root.FullName, "Coordinator.Service", "bin", configuration, framework.Name, "Coordinator.Service.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build Coordinator.Service -c {configuration} first: {dll} is missing.");
    }
}
