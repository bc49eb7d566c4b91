using System.Diagnostics;
using Coordinator.Faults.History;

namespace Coordinator.Faults.Harness;

/// <summary>
/// Records every operation of a run into its history file: the invocation before the call, the completion after,
/// with monotonic nanoseconds since the run began. Hands out globally unique operation ids and client numbers (a
/// client that loses its session comes back as a new client number, as a crashed process would).
/// </summary>
internal sealed class Recorder(HistoryFile file)
{
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly DateTime _originUtc = DateTime.UtcNow;
    private long _nextId;
    private int _nextClient;

    public int NewClient() => Interlocked.Increment(ref _nextClient);

    /// <summary>Runs <paramref name="call"/> as one operation; its return value is the operation's Result.</summary>
    /// <param name="timeout">Past it the call is abandoned and the operation is Unknown.</param>
    public async Task<Operation> RunAsync(
        int client, string function, string key, long? value, long? expected, TimeSpan timeout, Func<CancellationToken, Task<long?>> call)
    {
        var invoked = new Operation(Interlocked.Increment(ref _nextId), client, function, key, value, expected, Now(), null, Outcome.Unknown, null, null);
        file.Invoked(invoked);
        Operation completed;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var result = await call(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            completed = invoked with { CompletedNanos = Now(), Outcome = Outcome.Ok, Result = result };
        }
        catch (Exception error)
        {
            completed = invoked with { CompletedNanos = Now(), Outcome = OutcomeClassifier.Classify(error), Error = $"{error.GetType().Name}: {error.Message}" };
        }
        file.Completed(completed);
        return completed;
    }

    /// <summary>An event that happens at once and cannot fail (a session dropped by the harness).</summary>
    public void Instant(int client, string function, string key, long? value = null) => InstantAt(Now(), client, function, key, value);

    /// <summary>Something the workload observed, at once, with what it observed (a watch event and its position).</summary>
    public void Observed(int client, string function, string key, long? value, long? expected, long? result)
    {
        var now = Now();
        var operation = new Operation(Interlocked.Increment(ref _nextId), client, function, key, value, expected, now, null, Outcome.Unknown, null, null);
        file.Invoked(operation);
        file.Completed(operation with { CompletedNanos = now, Outcome = Outcome.Ok, Result = result });
    }

    /// <summary>An event seen elsewhere (a replica's log) at a wall-clock time, placed on this history's clock.</summary>
    public void InstantAt(DateTime utc, int client, string function, string key, long? value) =>
        InstantAt((long)(utc - _originUtc).TotalNanoseconds, client, function, key, value);

    private void InstantAt(long now, int client, string function, string key, long? value)
    {
        var operation = new Operation(Interlocked.Increment(ref _nextId), client, function, key, value, null, now, null, Outcome.Unknown, null, null);
        file.Invoked(operation);
        file.Completed(operation with { CompletedNanos = now, Outcome = Outcome.Ok });
    }

    private long Now() => (long)Stopwatch.GetElapsedTime(_origin).TotalNanoseconds;
}
