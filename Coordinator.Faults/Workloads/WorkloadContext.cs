using Coordinator.Client;
using Coordinator.Faults.Harness;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// What a workload gets from the run: the recorder, a way to connect clients (over TLS and logged in as the run's
/// workload user, when the run asks for them), the seed and a log.
/// </summary>
internal sealed class WorkloadContext(
    Recorder recorder, IReadOnlyList<string> servers, string clientHost, string clientAkkaConfig, int seed, Action<string> log,
    CoordinatorTlsOptions? tls = null, CoordinatorCredentials? credentials = null)
{
    /// <summary>How long one recorded call may take before it is abandoned as Unknown.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(6);

    private static long _nextValue;

    public Recorder Recorder { get; } = recorder;

    public int Seed { get; } = seed;

    public Action<string> Log { get; } = log;

    /// <summary>A value never used before in this process: written values and added elements stay unique.</summary>
    public static long UniqueValue() => Interlocked.Increment(ref _nextValue);

    /// <summary>
    /// A client whose server list starts at a different replica for each <paramref name="rotation"/>, so clients
    /// spread over the replicas and some sit on whichever replica a fault hits.
    /// </summary>
    /// <param name="requestTimeout">How long one request waits for its gateway (1 s unless a workload's requests are big).</param>
    public Task<CoordinatorClient> ConnectAsync(int rotation, TimeSpan sessionTimeout, CancellationToken cancellationToken, TimeSpan? requestTimeout = null)
    {
        var first = ((rotation % servers.Count) + servers.Count) % servers.Count;
        return ConnectToAsync([.. servers.Skip(first), .. servers.Take(first)], credentials, sessionTimeout, cancellationToken, requestTimeout);
    }

    /// <summary>A client of exactly <paramref name="to"/>, logged in with <paramref name="as"/> (the run's setup of users).</summary>
    public Task<CoordinatorClient> ConnectToAsync(
        IReadOnlyList<string> to, CoordinatorCredentials? @as, TimeSpan sessionTimeout, CancellationToken cancellationToken, TimeSpan? requestTimeout = null)
    {
        var options = new CoordinatorClientOptions
        {
            Servers = [.. to],
            LocalHostname = clientHost,
            AkkaConfig = clientAkkaConfig,
            SessionTimeout = sessionTimeout,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Tls = tls,
            Credentials = @as,
        };
        return CoordinatorClient.ConnectAsync(options, cancellationToken);
    }

    /// <summary>Retries <paramref name="attempt"/> until it succeeds or <paramref name="within"/> passes (setup and final reads).</summary>
    public static async Task<T> PersistAsync<T>(string what, TimeSpan within, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                return await attempt(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                last = error;
                await Task.Delay(200, CancellationToken.None).ConfigureAwait(false);
            }
        }
        throw new TimeoutException($"{what} did not succeed within {within.TotalSeconds:0} s: {last?.Message}", last);
    }
}
