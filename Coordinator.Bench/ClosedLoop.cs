using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// The closed loop of the usual coordination benchmarks: each lane (a client session) keeps one request outstanding; requests issued
/// during the warm-up are not counted; an op counts if it was issued after the warm-up and completed inside the
/// measured window, and its latency runs from issue to completion. Each lane draws keys from its own seeded random.
/// </summary>
internal static class ClosedLoop
{
    /// <param name="clock">
    /// Started here when not given; a workload that times other things against the same window (events arriving
    /// inside it) passes its own, and the warm-up starts when it started.
    /// </param>
    public static async Task<LoopResult> RunAsync(
        int lanes, BenchOptions options, Func<int, Random, Task> request, Stopwatch? clock = null)
    {
        var latencies = new LatencyRecorder();
        var errors = 0;
        clock ??= Stopwatch.StartNew();
        var windowEnd = options.Warmup + options.Duration;
        await Task.WhenAll(Enumerable.Range(0, lanes).Select(lane => Task.Run(async () =>
        {
            var random = new Random(options.Seed * 7919 + lane);
            while (clock.Elapsed < windowEnd)
            {
                var issued = clock.Elapsed;
                try
                {
                    await request(lane, random);
                }
                catch (Exception failure) when (IsRequestFailure(failure))
                {
                    if (issued >= options.Warmup)
                    {
                        Interlocked.Increment(ref errors);
                    }
                    continue;
                }
                var completed = clock.Elapsed;
                if (issued >= options.Warmup && completed <= windowEnd)
                {
                    latencies.Record(completed - issued);
                }
            }
        })));
        return new LoopResult(latencies, errors);
    }

    /// <summary>What a request may throw when the service refuses it or cannot be reached; anything else is a bug.</summary>
    public static bool IsRequestFailure(Exception failure) =>
        failure is CoordinatorException or TimeoutException;
}

internal sealed record LoopResult(LatencyRecorder Latencies, int Errors);
