using System.Diagnostics;
using System.Text.RegularExpressions;
using Coordinator.Tests.Client;
using Coordinator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Coordinator.Tests.Cli;

/// <summary>The coord tool as a newcomer and an operator use it: the README's examples, status, and clear failures.</summary>
[Trait("Category", "Cli")]
[Collection(ReplicaCollection.Name)]
public sealed partial class CliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_coord_example_in_the_readme_works_as_printed()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var servers = Servers(cluster);
        var examples = ReadmeExamples();
        Assert.True(examples.Count >= 8, "the README lost its coord examples");

        foreach (var (arguments, expected) in examples)
        {
            var (exitCode, stdout, stderr) = await CliProcess.RunAsync(servers, [.. arguments]);
            output.WriteLine($"$ coord {string.Join(' ', arguments)}\n{stdout}{stderr}");
            Assert.True(exitCode == 0, $"coord {string.Join(' ', arguments)} exited {exitCode}: {stderr}");
            if (expected is not null)
            {
                Assert.Equal(expected, stdout);
            }
        }
    }

    [Fact]
    public async Task Status_shows_the_leader_change_when_the_leader_is_killed()
    {
        await using var cluster = await ClientCluster.StartAsync();
        var servers = Servers(cluster);
        var before = await LeaderFromStatusAsync(servers, TimeSpan.FromSeconds(20));

        await cluster.Cluster.KillAsync(before);
        var killedAt = Stopwatch.StartNew();
        var after = await LeaderFromStatusAsync(servers, TimeSpan.FromSeconds(20));

        output.WriteLine($"coord status: leader {before} killed, replica {after} leads {killedAt.ElapsedMilliseconds} ms later");
        Assert.NotEqual(before, after);
        var (_, status, _) = await CliProcess.RunAsync(servers, "status");
        Assert.Contains("unreachable", status);
    }

    [Fact]
    public async Task A_wrong_address_a_bad_path_and_a_cluster_without_quorum_each_get_one_clear_line()
    {
        var nobody = $"127.0.0.1:{FreePorts.Take(1)[0]}";
        var unreachable = await CliProcess.RunAsync(nobody, "get", "/x", "--timeout", "3");
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Equal($"error: no Coordinator server answered at {nobody}", unreachable.Error);

        await using var cluster = await ClientCluster.StartAsync();
        var servers = Servers(cluster);
        var badPath = await CliProcess.RunAsync(servers, "get", "relative/path");
        Assert.Equal(2, badPath.ExitCode);
        Assert.Single(badPath.Error.Split('\n'));
        Assert.StartsWith("error: invalid path", badPath.Error);

        var missing = await CliProcess.RunAsync(servers, "get", "/nothing-here");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: NoNode", missing.Error);

        await cluster.Cluster.KillAsync(2);
        await cluster.Cluster.KillAsync(3);
        var noQuorum = await CliProcess.RunAsync(servers, "create", "/x", "--timeout", "4");
        var status = await CliProcess.RunAsync(servers, "status", "--timeout", "2");
        Assert.True(noQuorum.ExitCode == 4, $"coord create exited {noQuorum.ExitCode}: {noQuorum.Output} {noQuorum.Error}\nstatus:\n{status.Output}");
        Assert.Single(noQuorum.Error.Split('\n'));
        Assert.StartsWith("error: the cluster has no quorum", noQuorum.Error);
    }

    private static string Servers(ClientCluster cluster) => string.Join(',', cluster.Cluster.Ids.Select(cluster.Cluster.Endpoint));

    private static async Task<int> LeaderFromStatusAsync(string servers, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < within)
        {
            var (_, status, _) = await CliProcess.RunAsync(servers, "status", "--timeout", "1");
            var leader = LeaderLine().Match(status);
            if (leader.Success)
            {
                return int.Parse(leader.Groups[1].Value);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("coord status never showed a leader");
    }

    /// <summary>
    /// The coord lines between the README's cli-examples markers; a trailing "# prints X" is the exact output.
    /// </summary>
    private static List<(List<string> Arguments, string? Expected)> ReadmeExamples()
    {
        var readme = File.ReadAllText(Path.Combine(ServiceBinary.RepositoryRoot, "README.md"));
        var start = readme.IndexOf("<!-- cli-examples:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- cli-examples:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no cli-examples section");
        var examples = new List<(List<string>, string?)>();
        foreach (var line in readme[start..end].Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("coord ")))
        {
            var comment = line.IndexOf("# prints ", StringComparison.Ordinal);
            var command = comment >= 0 ? line[..comment].Trim() : line;
            var expected = comment >= 0 ? line[(comment + "# prints ".Length)..].Trim() : null;
            examples.Add(([.. ShellWords().Matches(command["coord ".Length..]).Select(word => word.Groups[1].Success ? word.Groups[1].Value : word.Value)], expected));
        }
        return examples;
    }

    [GeneratedRegex(@"replica (\d+) leader ")]
    private static partial Regex LeaderLine();

    [GeneratedRegex(@"'([^']*)'|\S+")]
    private static partial Regex ShellWords();
}
