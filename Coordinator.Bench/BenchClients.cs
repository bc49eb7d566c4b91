using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// Independent client sessions, each its own <see cref="CoordinatorClient"/>: client i is pinned to replica i mod n
/// (it knows no other server), or, where a workload needs failover, knows every replica; and the key space every
/// workload shares.
/// </summary>
internal sealed class BenchClients : IAsyncDisposable
{
    public const int KeyCount = 1000;
    public static readonly byte[] Value = new byte[100];

    private BenchClients(IReadOnlyList<CoordinatorClient> clients) => Clients = clients;

    public IReadOnlyList<CoordinatorClient> Clients { get; }

    /// <param name="progress">Called with the number connected so far at every tenth of <paramref name="count"/>.</param>
    public static async Task<BenchClients> ConnectAsync(ProcessCluster cluster, int count, bool pinned = true, Action<int>? progress = null)
    {
        var clients = new CoordinatorClient[count];
        var connected = 0;
        var step = Math.Max(1, count / 10);
        // Connecting in parallel keeps 10,000 sessions from taking minutes; a bounded fan-out keeps it gentle.
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async index =>
        {
            await gate.WaitAsync();
            try
            {
                clients[index] = await CoordinatorClient.ConnectAsync(Options(cluster, index, pinned));
                if (Interlocked.Increment(ref connected) % step == 0)
                {
                    progress?.Invoke(connected);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return new BenchClients(clients);
    }

    private static CoordinatorClientOptions Options(ProcessCluster cluster, int index, bool pinned)
    {
        var endpoints = cluster.Endpoints;
        return cluster.ClientOptions(pinned ? [endpoints[index % endpoints.Count]] : endpoints);
    }

    public static string Key(Random random) => $"/bench/k{random.Next(KeyCount):D4}";

    /// <summary>Creates <c>/bench/k0000</c>..<c>/bench/k0999</c> with 100-byte values unless they exist.</summary>
    public async Task CreateKeysAsync()
    {
        var client = Clients[0];
        if (await client.ExistsAsync($"/bench/k{KeyCount - 1:D4}") is not null)
        {
            return;
        }
        await IgnoreExisting(client.CreateAsync("/bench", []));
        await Task.WhenAll(Enumerable.Range(0, KeyCount).Select(key => IgnoreExisting(client.CreateAsync($"/bench/k{key:D4}", Value))));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Clients.Where(client => client is not null).Select(client => client.DisposeAsync().AsTask()));
    }

    /// <summary>A create that found its node already there did what was wanted (a rerun against <c>--servers</c>).</summary>
    public static async Task IgnoreExisting(Task create)
    {
        try
        {
            await create;
        }
        catch (NodeExistsException)
        {
        }
    }
}
