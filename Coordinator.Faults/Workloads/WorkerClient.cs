using Coordinator.Client;

namespace Coordinator.Faults.Workloads;

/// <summary>
/// A workload worker's session: connected on first use, replaced by a new session (and a new client number in the
/// history) once the cluster or the client library has ended it.
/// </summary>
internal sealed class WorkerClient(WorkloadContext context, int rotation, TimeSpan sessionTimeout, TimeSpan? requestTimeout = null) : IAsyncDisposable
{
    private CoordinatorClient? _client;

    public int Number { get; private set; }

    /// <summary>A live session; null when none could be made before the deadline (the worker tries again later).</summary>
    public async Task<CoordinatorClient?> GetAsync(CancellationToken cancellationToken)
    {
        if (_client is { State: ConnectionState.Expired or ConnectionState.Closed } ended)
        {
            _client = null;
            await ended.DisposeAsync().ConfigureAwait(false);
        }
        if (_client is null)
        {
            try
            {
                _client = await context.ConnectAsync(rotation, sessionTimeout, cancellationToken, requestTimeout).ConfigureAwait(false);
                Number = context.Recorder.NewClient();
            }
            catch (Exception error) when (error is CoordinatorException or ConnectionLossException or OperationCanceledException or RequestRejectedException)
            {
                // ConnectAsync can also end in SessionExpiredException (the new session lapsed while a fault hid it):
                // the worker tries again later rather than ending its workload and the run.
                return null;
            }
        }
        return _client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is { } client)
        {
            _client = null;
            await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
