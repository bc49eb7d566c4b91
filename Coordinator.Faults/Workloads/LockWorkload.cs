using Coordinator.Client;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// Fenced locks: clients take one exclusive lock, write their fencing token to a shared resource node while they
/// hold it, and release it. The resource behaves like a fencing-aware server: a fenced write first asks the
/// cluster whether the token is still current (CheckToken), then reads the resource's last token and writes its
/// own with a version check, refusing when its token is older than the last one written. So every Ok fenced write
/// must carry a token at least as new as every fenced write that completed before it.
/// </summary>
internal sealed class LockWorkload(int clients = 3) : IWorkload
{
    private const string LockPath = "/harness/lock";
    private const string ResourcePath = "/fenced/resource";

    public string Name => "locks";

    public async Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(1, TimeSpan.FromSeconds(10), ct), cancellationToken);
        await WorkloadContext.PersistAsync($"creating {ResourcePath}", TimeSpan.FromSeconds(30), async ct =>
        {
            try
            {
                return await client.CreateAsync(ResourcePath, Values.Encode(0), createParents: true, cancellationToken: ct);
            }
            catch (NodeExistsException)
            {
                return ResourcePath;
            }
        }, cancellationToken);
    }

    public Task RunAsync(WorkloadContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(worker => WorkAsync(context, worker, stop)));

    public Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool Owns(Operation operation) => operation.Function is "acquire" or "release" or "fenced-write";

    public Verdict Check(IReadOnlyList<Operation> history) => HistoryCheckers.Locks(history);

    private static async Task WorkAsync(WorkloadContext context, int worker, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, "locks", worker));
        await using var session = new WorkerClient(context, worker + 1, TimeSpan.FromSeconds(4));
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(random.Next(10, 100), CancellationToken.None);
            if (await session.GetAsync(stop) is not { } client)
            {
                continue;
            }
            var number = session.Number;
            var acquired = await context.Recorder.RunAsync(number, "acquire", "lock", null, null, WorkloadContext.OperationTimeout,
                async ct => await client.AcquireLockAsync(LockPath, LockMode.Exclusive, wait: true, cancellationToken: ct));
            if (acquired.Outcome == Outcome.Failed)
            {
                continue;
            }
            if (acquired is { Outcome: Outcome.Ok, Result: { } token })
            {
                for (var writes = 1 + random.Next(2); writes > 0; writes--)
                {
                    await Task.Delay(random.Next(0, 50), CancellationToken.None);
                    await FencedWriteAsync(context, number, client, token);
                }
            }
            // After an Unknown acquire the lock may be held (or granted later): release it either way.
            await context.Recorder.RunAsync(number, "release", "lock", acquired.Result, null, WorkloadContext.OperationTimeout, async ct =>
            {
                await client.ReleaseLockAsync(LockPath, ct);
                return null;
            });
        }
    }

    private static Task FencedWriteAsync(WorkloadContext context, int number, CoordinatorClient client, long token) =>
        context.Recorder.RunAsync(number, "fenced-write", "resource", token, token, WorkloadContext.OperationTimeout, async ct =>
        {
            if (!await client.CheckTokenAsync(LockPath, token, ct))
            {
                throw new OperationRefused($"token {token} is no longer current");
            }
            await client.SyncAsync(ct);
            var resource = await client.GetDataAsync(ResourcePath, cancellationToken: ct);
            if (Values.Decode(resource.Data) is { } last && last > token)
            {
                throw new OperationRefused($"token {token} is older than the resource's last token {last}");
            }
            await client.SetDataAsync(ResourcePath, Values.Encode(token), resource.Stat.Version, ct);
            return token;
        });
}
