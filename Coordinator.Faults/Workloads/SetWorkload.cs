using System.Globalization;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// A grow-only set: clients add unique elements, each a child node of /set. After the faults are healed and every
/// replica was killed and restarted, one client reads every element back: each acknowledged add must be there
/// (durability), and nothing that was never added.
/// </summary>
internal sealed class SetWorkload(int clients = 3) : IWorkload
{
    private const string SetPath = "/set";
    private IReadOnlySet<long> _final = new HashSet<long>();

    public string Name => "sets";

    public async Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(2, TimeSpan.FromSeconds(10), ct), cancellationToken);
        await WorkloadContext.PersistAsync($"creating {SetPath}", TimeSpan.FromSeconds(30), async ct =>
        {
            try
            {
                return await client.CreateAsync(SetPath, [], cancellationToken: ct);
            }
            catch (Client.NodeExistsException)
            {
                return SetPath;
            }
        }, cancellationToken);
    }

    public Task RunAsync(WorkloadContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(worker => WorkAsync(context, worker, stop)));

    public async Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(0, TimeSpan.FromSeconds(10), ct), cancellationToken);
        var children = await WorkloadContext.PersistAsync("reading the set", TimeSpan.FromSeconds(60), async ct =>
        {
            await client.SyncAsync(ct);
            return await client.GetChildrenAsync(SetPath, cancellationToken: ct);
        }, cancellationToken);
        _final = children.Select(name => long.Parse(name.AsSpan(1), CultureInfo.InvariantCulture)).ToHashSet();
        context.Log($"  sets: {_final.Count} elements read back after the full restart");
    }

    public bool Owns(Operation operation) => operation.Function == "add";

    public Verdict Check(IReadOnlyList<Operation> history) => HistoryCheckers.Sets(history, _final);

    private static async Task WorkAsync(WorkloadContext context, int worker, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, "sets", worker));
        await using var session = new WorkerClient(context, worker + 2, TimeSpan.FromSeconds(8));
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(random.Next(5, 40), CancellationToken.None);
            if (await session.GetAsync(stop) is not { } client)
            {
                continue;
            }
            var element = WorkloadContext.UniqueValue();
            await context.Recorder.RunAsync(session.Number, "add", "set", element, null, WorkloadContext.OperationTimeout, async ct =>
            {
                await client.CreateAsync($"{SetPath}/e{element}", [], cancellationToken: ct);
                return null;
            });
        }
    }
}
