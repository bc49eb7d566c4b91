using Coordinator.Client;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// Linearizable registers: clients read (sync, then getData: a linearizable read), write, and compare-and-set (read
/// the value and its version, then setData with that version: recorded as a cas expecting the value read) three
/// nodes, always writing values never written before. Every register starts at 0.
/// </summary>
internal sealed class RegisterWorkload(int clients = 5) : IWorkload
{
    private static readonly string[] Keys = ["r0", "r1", "r2"];

    public string Name => "registers";

    public static string PathOf(string key) => $"/registers/{key}";

    public async Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(0, TimeSpan.FromSeconds(10), ct), cancellationToken);
        foreach (var key in Keys)
        {
            await WorkloadContext.PersistAsync($"creating {PathOf(key)}", TimeSpan.FromSeconds(30), async ct =>
            {
                try
                {
                    return await client.CreateAsync(PathOf(key), Values.Encode(0), createParents: true, cancellationToken: ct);
                }
                catch (NodeExistsException)
                {
                    return PathOf(key);
                }
            }, cancellationToken);
        }
        // The initial value enters the history as a write that completed before any workload operation began, so a
        // cas always expects a value and never the register's "no value".
        var setup = context.Recorder.NewClient();
        foreach (var key in Keys)
        {
            context.Recorder.Instant(setup, "write", key, 0);
        }
    }

    public Task RunAsync(WorkloadContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(worker => WorkAsync(context, worker, stop)));

    public Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool Owns(Operation operation) => operation.Function is "read" or "write" or "cas";

    public Verdict Check(IReadOnlyList<Operation> history) => HistoryCheckers.Registers(history);

    private static async Task WorkAsync(WorkloadContext context, int worker, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, "registers", worker));
        await using var session = new WorkerClient(context, worker, TimeSpan.FromSeconds(8));
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(random.Next(5, 40), CancellationToken.None);
            if (await session.GetAsync(stop) is not { } client)
            {
                continue;
            }
            var key = Keys[random.Next(Keys.Length)];
            var path = PathOf(key);
            switch (random.Next(10))
            {
                case < 4:
                    await ReadAsync(context, session.Number, client, key);
                    break;
                case < 7:
                    var value = WorkloadContext.UniqueValue();
                    await context.Recorder.RunAsync(session.Number, "write", key, value, null, WorkloadContext.OperationTimeout, async ct =>
                    {
                        await client.SetDataAsync(path, Values.Encode(value), cancellationToken: ct);
                        return null;
                    });
                    break;
                default:
                    await CompareAndSetAsync(context, session.Number, client, key);
                    break;
            }
        }
    }

    private static async Task<(long? Value, int Version)?> ReadAsync(WorkloadContext context, int number, CoordinatorClient client, string key)
    {
        var version = -1;
        var read = await context.Recorder.RunAsync(number, "read", key, null, null, WorkloadContext.OperationTimeout, async ct =>
        {
            await client.SyncAsync(ct);
            var node = await client.GetDataAsync(PathOf(key), cancellationToken: ct);
            version = node.Stat.Version;
            return Values.Decode(node.Data);
        });
        return read.Outcome == Outcome.Ok ? (read.Result, version) : null;
    }

    private static async Task CompareAndSetAsync(WorkloadContext context, int number, CoordinatorClient client, string key)
    {
        if (await ReadAsync(context, number, client, key) is not { } current)
        {
            return;
        }
        var value = WorkloadContext.UniqueValue();
        await context.Recorder.RunAsync(number, "cas", key, value, current.Value, WorkloadContext.OperationTimeout, async ct =>
        {
            await client.SetDataAsync(PathOf(key), Values.Encode(value), current.Version, ct);
            return null;
        });
    }
}
