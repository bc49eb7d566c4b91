using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>write</c> (setData of 100 bytes, through the leader's log), <c>read</c> (getData from the client's own replica)
/// and <c>syncread</c> (sync then getData: a linearizable read) on 1,000 keys chosen uniformly at random. <c>write
/// --budget</c> also breaks each write down by stage (<see cref="WriteBudget"/>).
/// </summary>
internal static class KeyValueBench
{
    public static int Write(string[] args)
    {
        Func<CoordinatorClient, Random, Task> write = (client, random) => client.SetDataAsync(BenchClients.Key(random), BenchClients.Value);
        if (args.Contains("--budget"))
        {
            WriteBudget.RunAsync(BenchOptions.Parse("write", args, defaultClients: 1), write).GetAwaiter().GetResult();
            return 0;
        }
        return Run("write", args, write);
    }

    public static int Read(string[] args) => Run("read", args, (client, random) => client.GetDataAsync(BenchClients.Key(random)));

    public static int SyncRead(string[] args) => Run("syncread", args, async (client, random) =>
    {
        await client.SyncAsync();
        await client.GetDataAsync(BenchClients.Key(random));
    });

    private static int Run(string workload, string[] args, Func<CoordinatorClient, Random, Task> request)
    {
        var options = BenchOptions.Parse(workload, args, defaultClients: 16);
        RunAsync(options, request).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options, Func<CoordinatorClient, Random, Task> request)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var clients = await BenchClients.ConnectAsync(cluster, options.Clients);
        await clients.CreateKeysAsync();
        var loop = await ClosedLoop.RunAsync(options.Clients, options, (lane, random) => request(clients.Clients[lane], random));
        new BenchReport(options, loop).Publish(options);
    }
}
