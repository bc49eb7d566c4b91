using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;
using Xunit.Abstractions;

namespace Coordinator.Tests.Persistence;

/// <summary>
/// DESIGN §4 invariant 4 on each SQLite journal plugin: three real replica processes SIGKILLed together while four
/// clients write (so writes are mid-commit, several queued behind one, and compaction runs), then restarted: every
/// write a client saw acknowledged is there.
/// </summary>
[Trait("Category", "Process")]
[Collection(ReplicaCollection.Name)]
public sealed class JournalKillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("sqlite-native")]
    [InlineData("sql")]
    public async Task Every_acknowledged_write_survives_a_SIGKILL_of_every_replica_mid_write(string journal)
    {
        using var directory = new TempDirectory("journal-kill");
        var ports = FreePorts.Take(3);
        var endpoints = Enumerable.Range(1, 3).ToDictionary(id => id, id => $"127.0.0.1:{ports[id - 1]}");
        var configPath = Path.Combine(directory.Path, "cluster.conf");
        await File.WriteAllTextAsync(configPath, $$"""
            coordinator {
              replica.data-dir = "{{directory.Path}}/data"
              replica.snapshot-interval = 40
              storage.journal = {{journal}}
              replicas { {{string.Join("\n", endpoints.Select(entry => $"{entry.Key} = \"{entry.Value}\""))}} }
            }
            """);
        var processes = endpoints.Keys.ToDictionary(id => id, id => ReplicaProcess.Start(configPath, id, directory.Path));
        try
        {
            var acknowledged = new List<string>();
            var killed = false;
            List<Task> writers;
            await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
            {
                writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
                {
                    for (var i = 0; !Volatile.Read(ref killed); i++)
                    {
                        var path = $"/w{writer}-{i}";
                        try
                        {
                            await client.CreateAsync(path, [(byte)writer, (byte)i]);
                        }
                        catch (Exception) when (Volatile.Read(ref killed))
                        {
                            // Unanswered because every replica died: not acknowledged, so not checked.
                            return;
                        }
                        lock (acknowledged)
                        {
                            acknowledged.Add(path);
                        }
                    }
                })).ToList();
                while (Count(acknowledged) < 200)
                {
                    await Task.Delay(10);
                }
                Volatile.Write(ref killed, true);
                foreach (var process in processes.Values)
                {
                    process.Kill();
                }
                output.WriteLine($"{journal}: every replica SIGKILLed after {Count(acknowledged)} acknowledged creates");
            }
            // The client is closed: what it still had unanswered fails now instead of retrying against dead replicas.
            await Task.WhenAll(writers).WaitAsync(Within);

            foreach (var id in endpoints.Keys)
            {
                processes[id] = ReplicaProcess.Start(configPath, id, directory.Path);
            }
            await using (var client = await ProcessClients.ConnectAsync(endpoints.Values))
            {
                await client.SyncAsync();
                foreach (var path in acknowledged)
                {
                    var (writer, i) = (int.Parse(path[2..path.IndexOf('-')]), int.Parse(path[(path.IndexOf('-') + 1)..]));
                    Assert.Equal([(byte)writer, (byte)i], (await client.GetDataAsync(path)).Data);
                }
            }
            output.WriteLine($"all {acknowledged.Count} acknowledged creates read back after the restart");
        }
        finally
        {
            foreach (var process in processes.Values)
            {
                process.Dispose();
            }
        }
    }

    private static int Count(List<string> acknowledged)
    {
        lock (acknowledged)
        {
            return acknowledged.Count;
        }
    }
}
