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
                var client = await CoordinatorClient.ConnectAsync(new CoordinatorClientOptions
                {
                    Servers = [servers[index % servers.Length]],
                    SessionTimeout = timeout,
                    // Holding tens of thousands of sessions keeps this process busy: a connect may wait its turn.
                    ConnectTimeout = TimeSpan.FromMinutes(2),
                });
                await client.CreateAsync($"{prefix}/s{index}", [], NodeKind.Ephemeral, createParents: true);
                clients[index] = client;
            }
            finally
            {
                gate.Release();
            }
        }));
        Console.WriteLine($"{Ready} {count}");
        await Task.Delay(Timeout.Infinite);
    }
}
