using System.Reflection;
using Coordinator.Core.Consensus;

namespace Coordinator.Tests;

/// <summary>
/// Coordinator.Core (consensus, state machine, the log's format, the session tracker) must be a pure function of its
/// inputs (STYLE.md). Inside the project the compiler enforces it: BannedSymbols.txt makes clocks, randomness,
/// threads, tasks, System.IO and System.Net build errors. These tests guard what the analyzer cannot see: which
/// assemblies the core may reach at all.
/// </summary>
[Trait("Category", "Unit")]
public sealed class PurityTests
{
    /// <summary>The BCL's pure parts: collections, spans, text encoding, LINQ. Nothing that opens a file or a socket.</summary>
    private static readonly HashSet<string> Allowed =
    [
        "System.Runtime", "System.Collections", "System.Collections.Immutable", "System.Linq", "System.Memory",
        "System.Runtime.Numerics", "System.Runtime.InteropServices", "System.Text.Encoding.Extensions",
    ];

    [Fact]
    public void Core_references_only_pure_framework_assemblies()
    {
        var references = CoreAssembly().GetReferencedAssemblies().Select(name => name.Name!).ToList();

        Assert.Contains("System.Runtime", references);
        Assert.All(references, name => Assert.Contains(name, Allowed));
    }

    [Fact]
    public void Service_and_client_build_on_the_core()
    {
        Assert.Contains(CoreAssembly().GetName().Name, ReferencesOf(typeof(Coordinator.Service.Runtime.ReplicaHost).Assembly));
        Assert.Contains(CoreAssembly().GetName().Name, ReferencesOf(typeof(Coordinator.Client.CoordinatorClient).Assembly));
    }

    [Fact]
    public void The_core_project_bans_clocks_randomness_threads_and_io()
    {
        var banned = File.ReadAllLines(Path.Combine(RepositoryRoot(), "Coordinator.Core", "BannedSymbols.txt"))
            .Where(line => !line.StartsWith("//", StringComparison.Ordinal) && line.Contains(';'))
            .Select(line => line[..line.IndexOf(';')])
            .ToHashSet();

        Assert.Superset(
            new HashSet<string>
            {
                "T:System.DateTime", "T:System.Random", "T:System.Threading.Thread", "T:System.Threading.Tasks.Task",
                "N:System.IO", "N:System.Net", "T:System.Diagnostics.Stopwatch",
            },
            banned);
    }

    private static Assembly CoreAssembly() => typeof(Ballot).Assembly;

    private static IEnumerable<string?> ReferencesOf(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(name => name.Name);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Coordinator.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Coordinator.sln not found above " + AppContext.BaseDirectory);
    }
}
