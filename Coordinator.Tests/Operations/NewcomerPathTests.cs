using System.Text;
using System.Text.RegularExpressions;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Operations;

/// <summary>
/// What a newcomer does with the packages, on real processes: <c>dotnet pack</c> the client library and the
/// <c>coord</c> tool into a folder; a console project outside the solution, with its own nuget.config naming that
/// folder, installs Coordinator.Client and runs the README's first program against a dev cluster; <c>dotnet tool
/// install --tool-path</c> installs coord from the folder and <c>coord status</c> reaches the cluster.
/// </summary>
/// <remarks>
/// A test rather than a step of .ci/run: it runs in CI with the rest of <c>dotnet test</c>, counts in its result line,
/// and uses the same free ports, bounded waits and process bookkeeping as every process test. It packs with
/// <c>--no-build</c> (the test run's own build is what gets packed) under a version of its own, restores into a private
/// packages folder with the machine's global one as an extra source (no download of what the solution already
/// restored, no package left behind, and no stale copy of an earlier run picked up).
/// </remarks>
[Trait("Category", "Operations")]
[Collection(ReplicaCollection.Name)]
public sealed partial class NewcomerPathTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Packed_client_runs_the_readme_program_and_the_packed_coord_tool_reports_status()
    {
        using var work = new TempDirectory("newcomer");
        var feed = Directory.CreateDirectory(Path.Combine(work.Path, "feed")).FullName;
        var version = $"0.0.0-newcomer.{DateTime.UtcNow:yyyyMMddHHmmss}";
        foreach (var project in new[] { "Coordinator.Client", "Coordinator.Cli" })
        {
            await RunAsync("dotnet", ["pack", Path.Combine(ServiceBinary.RepositoryRoot, project), "-c", ServiceBinary.Configuration, "--no-build",
                "-o", feed, $"-p:Version={version}"], ServiceBinary.RepositoryRoot);
        }
        Assert.True(File.Exists(Path.Combine(feed, $"Coordinator.Client.{version}.nupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"Coordinator.Client.{version}.snupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"Coordinator.Cli.{version}.nupkg")));

        var app = Directory.CreateDirectory(Path.Combine(work.Path, "app")).FullName;
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="coordinator-local" value="{feed}" />
                <add key="machine-packages" value="{globalPackages}" />
              </packageSources>
            </configuration>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Coordinator.Client" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeSnippet());
        var packages = Path.Combine(work.Path, "packages");
        var nuget = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages, ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(app, "out")], app, nuget);

        var tools = Path.Combine(work.Path, "tools");
        await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "--version", version, "Coordinator.Cli"], app, nuget);

        var servers = await StartDevClusterAsync(work.Path);
        try
        {
            var program = await RunAsync("dotnet", [Path.Combine(app, "out", "app.dll")], app, new Dictionary<string, string> { ["COORDINATOR_SERVERS"] = servers.List });
            Assert.Matches(@"^/hello/greeting-\d{10}: hello from my app \(version 0\)$", program.Trim());

            var status = await RunAsync(Path.Combine(tools, "coord"), ["status", "--servers", servers.List], app);
            Assert.Equal(3, status.Trim().Split('\n').Length);
            Assert.Contains(" leader ", status);
        }
        finally
        {
            servers.Cluster.Dispose();
        }
    }

    /// <summary>The C# between the README's newcomer-snippet markers.</summary>
    private static string ReadmeSnippet()
    {
        var readme = File.ReadAllText(Path.Combine(ServiceBinary.RepositoryRoot, "README.md"));
        var match = SnippetPattern().Match(readme);
        Assert.True(match.Success, "README.md has no newcomer-snippet block");
        return match.Groups["code"].Value;
    }

    /// <summary>A dev cluster (every replica in one process, as <c>--dev</c> runs it) on free ports.</summary>
    private async Task<(string List, ChildProcess Cluster)> StartDevClusterAsync(string directory)
    {
        var ports = FreePorts.Take(3);
        var config = Path.Combine(directory, "dev.conf");
        await File.WriteAllTextAsync(config, $$"""
            coordinator {
              replica.data-dir = "{{directory}}/data"
              replicas { {{string.Join("\n", ports.Select((port, i) => $"{i + 1} = \"127.0.0.1:{port}\""))}} }
            }
            """);
        var log = new StringBuilder();
        var cluster = ChildProcess.StartDotnet(ServiceBinary.Path, ["--dev", "--config", config], new Dictionary<string, string>(), directory,
            line => { lock (log) { log.AppendLine(line); } }, line => { lock (log) { log.AppendLine(line); } });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Read(log).Contains("development cluster of 3 replicas running"))
        {
            if (DateTime.UtcNow > deadline || cluster.HasExited)
            {
                cluster.Dispose();
                throw new TimeoutException($"the dev cluster did not start: {Read(log)}");
            }
            await Task.Delay(100);
        }
        return (string.Join(',', ports.Select(port => $"127.0.0.1:{port}")), cluster);
    }

    private async Task<string> RunAsync(string fileName, string[] arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var text = new StringBuilder();
        var stdout = new StringBuilder();
        using var process = ChildProcess.Start(fileName, arguments, environment ?? new Dictionary<string, string>(), workingDirectory,
            line => { lock (text) { text.AppendLine(line); stdout.AppendLine(line); } }, line => { lock (text) { text.AppendLine(line); } });
        await process.WaitForExitAsync(StepTimeout);
        var all = Read(text);
        output.WriteLine($"$ {Path.GetFileName(fileName)} {string.Join(' ', arguments)} -> {process.ExitCode}");
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{all}");
        return Read(stdout);
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }

    [GeneratedRegex(@"<!-- newcomer-snippet:start -->\s*```csharp\n(?<code>.*?)```\s*<!-- newcomer-snippet:end -->", RegexOptions.Singleline)]
    private static partial Regex SnippetPattern();
}
