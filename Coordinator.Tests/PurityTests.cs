using System.Text.RegularExpressions;

namespace Coordinator.Tests;

/// <summary>
/// The consensus core and the state machine must be pure functions of their inputs (STYLE.md): this scans their
/// source for anything that could read a clock, draw randomness, do I/O or run concurrently.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class PurityTests
{
    private static readonly string[] Forbidden =
    [
        "Akka", "System.IO", "System.Net", "DateTime", "DateTimeOffset", "Stopwatch", "Random", "Environment.TickCount",
        "Guid.NewGuid", "System.Threading", "Thread", "Task", "Parallel", "Interlocked", "Monitor", "lock (", "async ",
        "await ", "Console", "GetHashCode", "HashCode", "unsafe",
    ];

    /// <summary>
    /// Consensus overrides GetHashCode only to pair its value-equality records; no decision or output reads a hash,
    /// so the per-process hash seed cannot make replicas diverge there.
    /// </summary>
    [Theory]
    [InlineData("Coordinator.Service/StateMachine", "")]
    [InlineData("Coordinator.Client/Protocol", "")]
    [InlineData("Coordinator.Service/Consensus", "GetHashCode,HashCode")]
    public void Pure_core_source_has_no_clock_randomness_io_or_concurrency(string folder, string allowed)
    {
        var directory = Path.Combine(RepositoryRoot(), folder);
        var files = Directory.GetFiles(directory, "*.cs");
        Assert.NotEmpty(files);
        var allowedWords = allowed.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var offences = new List<string>();
        foreach (var file in files)
        {
            offences.AddRange(Offences(File.ReadAllText(file))
                .Except(allowedWords)
                .Select(word => $"{Path.GetFileName(file)}: {word}"));
        }
        Assert.Empty(offences);
    }

    [Fact]
    public void The_scan_catches_what_it_should_and_ignores_comments()
    {
        Assert.Equal(["DateTime"], Offences("var t = DateTime.UtcNow; // Random in a comment is fine"));
        Assert.Empty(Offences("/// <summary>Never reads the Stopwatch.</summary>"));
    }

    private static IEnumerable<string> Offences(string source)
    {
        var code = Comments().Replace(source, string.Empty);
        return Forbidden.Where(code.Contains);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Coordinator.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Coordinator.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comments();
}
