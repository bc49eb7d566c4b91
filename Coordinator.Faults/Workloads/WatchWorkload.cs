using Coordinator.Client;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// Recursive watchers on overlapping subtrees, each attached first to a different replica, while writers on every
/// replica change the nodes under them (data changes of fixed nodes, and creates and deletes of each writer's own
/// nodes), so slots hold several changes to one node and every fault hits some watcher's replica. Each watcher
/// watches from the slot setup ended at (<see cref="CoordinatorClient.WatchAsync(string, bool, long, CancellationToken)"/>),
/// and a watcher whose session ends starts a new stream on a new session from the slot of the last event it had,
/// so resuming from a slot is exercised too. After healing, two fence writes end the run: every watcher must see
/// the last fence under its path. <see cref="Checking.WatchChecker"/> judges the streams.
/// </summary>
internal sealed class WatchWorkload(int writers = 3) : IWorkload
{
    private const string Root = "/watch";
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan FenceWait = TimeSpan.FromSeconds(60);

    private static readonly string[] Fixed = [Root, $"{Root}/a", $"{Root}/a/1", $"{Root}/a/2", $"{Root}/a/deep", $"{Root}/a/deep/1", $"{Root}/b", $"{Root}/b/1"];

    /// <summary>The fences, written in this order after healing; each watcher waits for the last one under its path.</summary>
    private static readonly string[] Fences = [$"{Root}/a/deep/1", $"{Root}/b/1"];

    /// <summary>Watched path and the replica (by rotation) each watcher starts on.</summary>
    private static readonly (string Path, int Rotation)[] Watchers =
        [(Root, 0), (Root, 2), ($"{Root}/a", 1), ($"{Root}/a/deep", 2), ($"{Root}/b", 0)];

    private readonly CancellationTokenSource _finished = new();
    private readonly Dictionary<string, long> _fenceSlots = [];
    /// <summary>Per watcher, the newest slot of an event on the last fence node under its path.</summary>
    private readonly long[] _fenceNodeSeen = new long[Watchers.Length];
    private Task _watching = Task.CompletedTask;
    private long _startSlot;

    public string Name => "watch";

    public async Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(0, TimeSpan.FromSeconds(10), ct), cancellationToken);
        foreach (var path in Fixed)
        {
            await WorkloadContext.PersistAsync($"creating {path}", TimeSpan.FromSeconds(30), async ct =>
            {
                try
                {
                    return (await client.CreateWithStatAsync(path, [], cancellationToken: ct)).Stat.CreatedSlot;
                }
                catch (NodeExistsException)
                {
                    return 0;
                }
            }, cancellationToken);
        }
        await client.SyncAsync(cancellationToken);
        cancellationToken.Register(_finished.Cancel);
        _startSlot = client.LastSeenSlot;
        // The watchers run from here through the final phase, which ends them once they saw the fences.
        _watching = Task.WhenAll(Watchers.Select((watcher, i) => WatchAsync(context, i, watcher.Path, watcher.Rotation)));
    }

    public Task RunAsync(WorkloadContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(writer => WriteAsync(context, writer, stop)));

    public async Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using (var client = await WorkloadContext.PersistAsync("connecting for the fences", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(0, TimeSpan.FromSeconds(10), ct), cancellationToken))
        {
            var fenceClient = context.Recorder.NewClient();
            foreach (var fence in Fences)
            {
                var slot = await WorkloadContext.PersistAsync($"fence {fence}", TimeSpan.FromSeconds(60), async ct =>
                {
                    var write = await context.Recorder.RunAsync(fenceClient, "watch-set", fence, null, null, WorkloadContext.OperationTimeout,
                        async call => (await client.SetDataAsync(fence, Values.Encode(WorkloadContext.UniqueValue()), cancellationToken: call)).ModifiedSlot);
                    return write.Outcome == Outcome.Ok ? write.Result!.Value : throw new TimeoutException(write.Error);
                }, cancellationToken);
                lock (_fenceSlots)
                {
                    _fenceSlots[fence] = slot;
                }
            }
        }
        // A fence's event goes out before its write's answer: the watchers note every event on a fence node, and
        // the fence slots, known only now, say which of them count.
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            waiting.CancelAfter(FenceWait);
            while (!waiting.IsCancellationRequested && !Enumerable.Range(0, Watchers.Length).All(SawFence))
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
        await _finished.CancelAsync();
        await _watching.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    public bool Owns(Operation operation) => operation.Function.StartsWith("watch-", StringComparison.Ordinal);

    public Verdict Check(IReadOnlyList<Operation> history) => HistoryCheckers.Watches(history);

    private async Task WriteAsync(WorkloadContext context, int writer, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, "watch-writer", writer));
        string[] own = [$"{Root}/a/deep/w{writer}", $"{Root}/b/w{writer}"];
        var exists = new bool[own.Length];
        await using var worker = new WorkerClient(context, writer, SessionTimeout);
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(random.Next(5, 25), CancellationToken.None);
            if (await worker.GetAsync(stop) is not { } client)
            {
                continue;
            }
            if (random.Next(5) > 0)
            {
                var path = Fixed[random.Next(Fixed.Length)];
                await context.Recorder.RunAsync(worker.Number, "watch-set", path, null, null, WorkloadContext.OperationTimeout,
                    async ct => (await client.SetDataAsync(path, Values.Encode(WorkloadContext.UniqueValue()), cancellationToken: ct)).ModifiedSlot);
                continue;
            }
            var which = random.Next(own.Length);
            var node = own[which];
            var operation = exists[which]
                ? await context.Recorder.RunAsync(worker.Number, "watch-delete", node, null, null, WorkloadContext.OperationTimeout, async ct =>
                {
                    await client.DeleteAsync(node, cancellationToken: ct);
                    return null;
                })
                : await context.Recorder.RunAsync(worker.Number, "watch-create", node, null, null, WorkloadContext.OperationTimeout,
                    async ct => (await client.CreateWithStatAsync(node, [], cancellationToken: ct)).Stat.CreatedSlot);
            // An Unknown outcome leaves the node's state open: the next attempt's NoNode or NodeExists settles it.
            exists[which] = operation.Outcome switch
            {
                Outcome.Ok => !exists[which],
                Outcome.Failed when operation.Error?.Contains(nameof(NodeExistsException), StringComparison.Ordinal) == true => true,
                Outcome.Failed when operation.Error?.Contains(nameof(NoNodeException), StringComparison.Ordinal) == true => false,
                _ => exists[which],
            };
        }
    }

    /// <summary>One watcher: a stream per session, each from the slot of the last event it had, until it saw its fence.</summary>
    private async Task WatchAsync(WorkloadContext context, int watcher, string path, int rotation)
    {
        var from = _startSlot;
        var stop = _finished.Token;
        while (!stop.IsCancellationRequested)
        {
            CoordinatorClient client;
            try
            {
                client = await context.ConnectAsync(rotation, SessionTimeout, stop);
            }
            catch (Exception error) when (error is CoordinatorException or ConnectionLossException or OperationCanceledException or RequestRejectedException)
            {
                await Task.Delay(200, CancellationToken.None);
                continue;
            }
            var segment = context.Recorder.NewClient();
            await using (client)
            {
                try
                {
                    await using var stream = client.WatchAsync(path, recursive: true, from, stop);
                    await stream.Registered;
                    context.Recorder.Observed(segment, "watch-start", path, from, null, null);
                    try
                    {
                        await foreach (var e in stream)
                        {
                            context.Recorder.Observed(segment, "watch-event", e.Path, e.Slot, e.Index, (long)e.Type);
                            if (e.Type != WatchEventType.Compacted)
                            {
                                from = e.Slot;
                            }
                            if (e.Path == LastFence(path))
                            {
                                Volatile.Write(ref _fenceNodeSeen[watcher], Math.Max(Volatile.Read(ref _fenceNodeSeen[watcher]), e.Slot));
                            }
                        }
                    }
                    finally
                    {
                        context.Recorder.Observed(segment, "watch-end", path, null, null, SawFence(watcher) ? 1 : 0);
                    }
                }
                catch (Exception error) when (error is CoordinatorException or ConnectionLossException or OperationCanceledException or RequestRejectedException)
                {
                    // The session ended (or the run is over): a new stream on a new session takes over.
                }
            }
        }
    }

    private static string LastFence(string watched) =>
        Fences.Last(fence => fence == watched || fence.StartsWith(watched + "/", StringComparison.Ordinal));

    private bool SawFence(int watcher)
    {
        var fence = LastFence(Watchers[watcher].Path);
        lock (_fenceSlots)
        {
            return _fenceSlots.TryGetValue(fence, out var slot) && Volatile.Read(ref _fenceNodeSeen[watcher]) >= slot;
        }
    }
}
