using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>--workload hold-sessions --servers LIST --clients N [--session-timeout S] [--prefix /storm]</c>: the process an
/// expiry storm kills. It opens N sessions (session i on server i mod the servers given), gives each an ephemeral node
/// <c>PREFIX/s{i}</c>, prints <c>holding N</c>, and then holds them until it is killed.
/// </summary>
internal static class StormHolder
{
    public const string Ready = "holding";

    public static int Run(string[] args)
    {
        RunAsync(args).GetAwaiter().GetResult();
        return 0;
    }

    private static int _retries;

    /// <summary>
    /// A session with its ephemeral node. A process busy holding tens of thousands of sessions can be too slow to attach
    /// a new one before the session's own deadline passes (measured at 50,000 with a 10 s timeout): such a connect is
    /// retried with a new session, and counted.
    /// </summary>
    private static async Task<CoordinatorClient> HoldAsync(string server, TimeSpan timeout, string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var client = await CoordinatorClient.ConnectAsync(new CoordinatorClientOptions
                {
                    Servers = [server],
                    SessionTimeout = timeout,
                    ConnectTimeout = TimeSpan.FromMinutes(2),
                });
                try
                {
                    await client.CreateAsync(path, [], NodeKind.Ephemeral, createParents: true);
                    return client;
                }
                catch (CoordinatorException)
                {
                    await client.DisposeAsync();
                    throw;
                }
            }
            catch (CoordinatorException) when (attempt < 5)
            {
                Interlocked.Increment(ref _retries);
            }
        }
    }

    private static async Task RunAsync(string[] args)
    {
        var servers = (Program.ArgValue(args, "--servers") ?? throw new ArgumentException("--servers is required"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var count = Program.IntArg(args, "--clients", 1000);
        var timeout = TimeSpan.FromSeconds(Program.IntArg(args, "--session-timeout", 10));
        var prefix = Program.ArgValue(args, "--prefix") ?? "/storm";
        var clients = new CoordinatorClient[count];
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async index =>
        {
            await gate.WaitAsync();
            try
            {
                clients[index] = await HoldAsync(servers[index % servers.Length], timeout, $"{prefix}/s{index}");
            }
            finally
            {
                gate.Release();
            }
        }));
        Console.WriteLine($"{Ready} {count} ({_retries} connects retried)");
        await Task.Delay(Timeout.Infinite);
    }
}
