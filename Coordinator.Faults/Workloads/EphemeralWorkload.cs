using System.Diagnostics;
using Coordinator.Client;
using Coordinator.Faults.Harness;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// Ephemeral nodes live exactly as long as their session. Session workers open a session and create its ephemeral
/// node ("open"), hold it a while, then either close the session ("close") or drop it without a word, as a crashed
/// process would ("expire": the cluster must expire it after its timeout). Checker clients meanwhile ask, through
/// sync and exists, whether a recent session's node exists ("check", Result 1 or 0). Every operation about a session
/// carries that session's number as Client and "e{number}" as Key. "expire" is also recorded when the client library
/// itself declares the session expired (a fault kept it from the cluster past its deadline).
/// </summary>
internal sealed class EphemeralWorkload(int sessions = 3, int checkers = 2) : IWorkload
{
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(3);
    private const string Parent = "/ephemeral";
    private readonly Lock _gate = new();
    private readonly List<int> _recent = [];

    public string Name => "ephemeral";

    public async Task SetUpAsync(WorkloadContext context, CancellationToken cancellationToken)
    {
        await using var client = await WorkloadContext.PersistAsync("connecting", TimeSpan.FromSeconds(60), ct => context.ConnectAsync(0, TimeSpan.FromSeconds(10), ct), cancellationToken);
        await WorkloadContext.PersistAsync($"creating {Parent}", TimeSpan.FromSeconds(30), async ct =>
        {
            try
            {
                return await client.CreateAsync(Parent, [], cancellationToken: ct);
            }
            catch (NodeExistsException)
            {
                return Parent;
            }
        }, cancellationToken);
    }

    public Task RunAsync(WorkloadContext context, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, sessions).Select(worker => SessionsAsync(context, worker, stop))
            .Concat(Enumerable.Range(0, checkers).Select(worker => CheckAsync(context, worker, stop))));

    public Task FinishAsync(WorkloadContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool Owns(Operation operation) => operation.Function is "open" or "close" or "expire" or "check" or "leader" or "fault";

    /// <summary>
    /// How long after its owner stopped heartbeating (or after the last leader change since) an ephemeral may still
    /// exist: the session timeout, the leader's session-check interval, and the expiry's own trip through the log.
    /// </summary>
    public static readonly TimeSpan ExpiryAllowance = SessionTimeout + TimeSpan.FromSeconds(2);

    public Verdict Check(IReadOnlyList<Operation> history) => HistoryCheckers.Ephemerals(history, ExpiryAllowance);

    private static string Key(int session) => $"e{session}";

    private static string PathOf(int session) => $"{Parent}/{Key(session)}";

    private async Task SessionsAsync(WorkloadContext context, int worker, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, "ephemeral", worker));
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(random.Next(50, 300), CancellationToken.None);
            var session = context.Recorder.NewClient();
            CoordinatorClient? client = null;
            var opened = await context.Recorder.RunAsync(session, "open", Key(session), null, null, WorkloadContext.OperationTimeout * 2, async ct =>
            {
                try
                {
                    client = await context.ConnectAsync(worker + session, SessionTimeout, ct);
                }
                catch (ConnectionLossException noSession)
                {
                    throw new OperationRefused($"no session: {noSession.Message}");
                }
                await client.CreateAsync(PathOf(session), [], NodeKind.Ephemeral, cancellationToken: ct);
                return null;
            });
            if (client is null)
            {
                continue;
            }
            Remember(session);
            var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.ConnectionStateChanged += (_, change) =>
            {
                if (change.State == ConnectionState.Expired)
                {
                    expired.TrySetResult();
                }
            };
            if (client.State != ConnectionState.Expired && opened.Outcome != Outcome.Failed)
            {
                await Task.WhenAny(expired.Task, Task.Delay(random.Next(500, 2000), CancellationToken.None));
            }
            await EndAsync(context, session, client, expired.Task.IsCompleted || client.State == ConnectionState.Expired, random);
        }
    }

    private static async Task EndAsync(WorkloadContext context, int session, CoordinatorClient client, bool expired, Random random)
    {
        if (expired)
        {
            context.Recorder.Instant(session, "expire", Key(session));
            await client.DisposeAsync();
        }
        else if (random.Next(2) == 0)
        {
            await context.Recorder.RunAsync(session, "close", Key(session), null, null, WorkloadContext.OperationTimeout, async _ =>
            {
                // The library closes on a best-effort basis and does not say whether the close reached the cluster;
                // a close that came back well within one request timeout was answered (closed, or already gone).
                var wasAttached = client.State is ConnectionState.Connected or ConnectionState.Reconnected;
                var clock = Stopwatch.StartNew();
                await client.DisposeAsync();
                return wasAttached && clock.Elapsed < TimeSpan.FromSeconds(0.9)
                    ? null
                    : throw new TimeoutException("the close may not have reached the cluster");
            });
        }
        else
        {
            context.Recorder.Instant(session, "expire", Key(session));
            await client.AbandonAsync();
        }
    }

    private async Task CheckAsync(WorkloadContext context, int worker, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(context.Seed, "ephemeral-check", worker));
        await using var checker = new WorkerClient(context, worker + 1, TimeSpan.FromSeconds(8));
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(random.Next(50, 150), CancellationToken.None);
            int session;
            lock (_gate)
            {
                if (_recent.Count == 0)
                {
                    continue;
                }
                session = _recent[random.Next(_recent.Count)];
            }
            if (await checker.GetAsync(stop) is not { } client)
            {
                continue;
            }
            await context.Recorder.RunAsync(session, "check", Key(session), null, null, WorkloadContext.OperationTimeout, async ct =>
            {
                await client.SyncAsync(ct);
                return await client.ExistsAsync(PathOf(session), cancellationToken: ct) is null ? 0 : 1;
            });
        }
    }

    /// <summary>Checkers look at the last few sessions: alive ones, and ended ones whose node must vanish.</summary>
    private void Remember(int session)
    {
        lock (_gate)
        {
            _recent.Add(session);
            if (_recent.Count > 12)
            {
                _recent.RemoveAt(0);
            }
        }
    }
}
