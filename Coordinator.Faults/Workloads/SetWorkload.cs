using System.Globalization;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// A grow-only set: clients add unique elements, each a child node of the set's node. After the faults are healed and
/// every replica (but a wiped one) was killed and restarted, one client reads every element back: each acknowledged
/// add must be there (durability), and nothing that was never added. The large variant ("large-sets") gives each
/// element's node a value of 64 KiB to 1 MiB (<see cref="LargeValues"/>) and reads every value back too: each must be
/// byte for byte the one written.
/// </summary>
internal sealed class SetWorkload : IWorkload
{
    /// <summary>A 1 MiB write is fsynced by a majority on a shared machine: a second is not long enough for its request.</summary>
    private static readonly TimeSpan LargeRequestTimeout = TimeSpan.FromSeconds(4);

    private readonly string _setPath;
    private readonly string _key;
    private readonly int _clients;
    private readonly long? _budgetBytes;
    private LargeValues? _values;
    private IReadOnlySet<long> _final = new HashSet<long>();
    private IReadOnlyList<string> _corrupt = [];

    private SetWorkload(string name, string setPath, string key, int clients, long? budgetBytes)
    {
        Name = name;
        _setPath = setPath;
        _key = key;
        _clients = clients;
        _budgetBytes = budgetBytes;
    }

    public static SetWorkload Small() => new("sets", "/set", "set", clients: 3, budgetBytes: null);

    /// <param name="budgetBytes">At most this many bytes of values in the run.</param>
    public static SetWorkload Large(long budgetBytes) => new("large-sets", "/large", "large", clients: 2, budgetBytes);

    private bool IsLarge => _budgetBytes is not null;

    public string Name { get; }

    public async Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        _values = _budgetBytes is { } budget ? new LargeValues(context.Seed, budget) : null;
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(2, TimeSpan.FromSeconds(10), ct), cancellationToken);
        await WorkloadContext.PersistAsync($"creating {_setPath}", TimeSpan.FromSeconds(30), async ct =>
        {
            try
            {
                return await client.CreateAsync(_setPath, [], cancellationToken: ct);
            }
            catch (Client.NodeExistsException)
            {
                return _setPath;
            }
        }, cancellationToken);
    }

    public Task RunAsync(WorkloadContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, _clients).Select(worker => WorkAsync(context, worker, stop)));

    public async Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60),
            ct => context.ConnectAsync(0, TimeSpan.FromSeconds(10), ct, IsLarge ? LargeRequestTimeout : null), cancellationToken);
        var children = await WorkloadContext.PersistAsync("reading the set", TimeSpan.FromSeconds(60), async ct =>
        {
            await client.SyncAsync(ct);
            return await client.GetChildrenAsync(_setPath, cancellationToken: ct);
        }, cancellationToken);
        _final = children.Select(name => long.Parse(name.AsSpan(1), CultureInfo.InvariantCulture)).ToHashSet();
        if (_values is { } values)
        {
            var corrupt = new List<string>();
            foreach (var element in _final.Order())
            {
                var data = await WorkloadContext.PersistAsync($"reading {_setPath}/e{element}", TimeSpan.FromSeconds(30),
                    ct => client.GetDataAsync($"{_setPath}/e{element}", cancellationToken: ct), cancellationToken);
                if (values.Mismatch(element, data.Data) is { } mismatch)
                {
                    corrupt.Add(mismatch);
                }
            }
            _corrupt = corrupt;
            var (written, bytes) = values.Written;
            context.Log($"  {Name}: {_final.Count} elements and their values read back after the full restart ({written} values, {bytes / (1024 * 1024)} MiB attempted)");
        }
        else
        {
            context.Log($"  {Name}: {_final.Count} elements read back after the full restart");
        }
    }

    public bool Owns(Operation operation) => operation.Function == "add" && operation.Key == _key;

    public Verdict Check(IReadOnlyList<Operation> history)
    {
        var verdict = HistoryCheckers.Sets(history, _final) with { Workload = Name };
        return _corrupt.Count == 0 ? verdict : verdict with
        {
            Kind = VerdictKind.Violation,
            Explanation = $"{verdict.Explanation}\n  {_corrupt.Count} value(s) differ from what was written: {string.Join("; ", _corrupt.Take(5))}",
        };
    }

    private async Task WorkAsync(WorkloadContext context, int worker, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, Name, worker));
        await using var session = new WorkerClient(context, worker + 2, TimeSpan.FromSeconds(8), IsLarge ? LargeRequestTimeout : null);
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(IsLarge ? random.Next(20, 120) : random.Next(5, 40), CancellationToken.None);
            if (await session.GetAsync(stop) is not { } client)
            {
                continue;
            }
            var element = WorkloadContext.UniqueValue();
            byte[] data = [];
            if (_values is { } values)
            {
                if (values.Next(element) is not { } value)
                {
                    // The run's byte budget is spent: the rest of the run writes nothing more here.
                    await Task.Delay(200, CancellationToken.None);
                    continue;
                }
                data = value;
            }
            await context.Recorder.RunAsync(session.Number, "add", _key, element, null, IsLarge ? LargeRequestTimeout * 2 : WorkloadContext.OperationTimeout, async ct =>
            {
                await client.CreateAsync($"{_setPath}/e{element}", data, cancellationToken: ct);
                return null;
            });
        }
    }
}
