using System.Diagnostics;
using Coordinator.Client;

namespace Coordinator.Bench;

/// <summary>
/// <c>expiry-storm</c>: a separate client process holds <c>--sessions</c> sessions (default 10,000), each with an
/// ephemeral node, while <c>--clients</c> sessions (default 16) write in a closed loop; the holder is SIGKILLed, and
/// the run reports how long until every one of its ephemeral nodes was gone (the sessions' timeout, default 10 s, is
/// the floor) and the writers' latency in the <c>--duration</c> seconds before the kill against the time from the kill
/// until the last node went.
/// </summary>
internal static class ExpiryStormBench
{
    private const string Prefix = "/storm";

    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse("expiry-storm", args, defaultClients: 16);
        RunAsync(options, Program.IntArg(args, "--sessions", 10_000), Program.IntArg(args, "--session-timeout", 10)).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options, int sessions, int sessionTimeoutSeconds)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using var writers = await BenchClients.ConnectAsync(cluster, options.Clients);
        await writers.CreateKeysAsync();
        var observer = writers.Clients[0];

        var started = Stopwatch.StartNew();
        using var holder = StartHolder(cluster, sessions, sessionTimeoutSeconds);
        await holder.Ready.Task.WaitAsync(TimeSpan.FromMinutes(30));
        Console.WriteLine($"  holder (pid {holder.Process.Id}) holds {sessions} sessions with ephemeral nodes after {started.Elapsed.TotalSeconds:F1} s");

        var phases = new PhasedLatencies();
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, options.Clients).Select(lane => Task.Run(async () =>
        {
            var random = new Random(options.Seed * 7919 + lane);
            while (!stop.IsCancellationRequested)
            {
                var issued = Stopwatch.GetTimestamp();
                try
                {
                    await writers.Clients[lane].SetDataAsync(BenchClients.Key(random), BenchClients.Value);
                    phases.Record(Stopwatch.GetElapsedTime(issued));
                }
                catch (Exception failure) when (ClosedLoop.IsRequestFailure(failure))
                {
                    phases.Failed();
                }
            }
        })));
        await Task.Delay(options.Warmup);
        phases.Phase = 1;
        await Task.Delay(options.Duration);

        phases.Phase = 2;
        var killed = Stopwatch.StartNew();
        holder.Process.Kill();
        var remaining = sessions;
        while (remaining > 0 && killed.Elapsed < TimeSpan.FromSeconds(sessionTimeoutSeconds + 600))
        {
            await Task.Delay(100);
            remaining = (await observer.ExistsAsync(Prefix))?.ChildCount ?? 0;
        }
        var goneAfter = killed.Elapsed;
        phases.Phase = 3;
        await stop.CancelAsync();
        await load;

        var before = phases.Of(1);
        var during = phases.Of(2);
        new BenchReport(options, new LoopResult(during, phases.Errors), goneAfter.TotalSeconds)
            .Add("sessions", sessions)
            .Add("session_timeout_s", sessionTimeoutSeconds)
            .Add("ephemerals_left", remaining)
            .Add("all_gone_after_kill_s", Math.Round(goneAfter.TotalSeconds, 2))
            .Add("write_p99_before_ms", Math.Round(before.Percentile(0.99), 2))
            .Add("write_p99_during_ms", Math.Round(during.Percentile(0.99), 2))
            .Add("write_p50_before_ms", Math.Round(before.Percentile(0.5), 2))
            .Add("write_p50_during_ms", Math.Round(during.Percentile(0.5), 2))
            .Add("writes_before", before.Count)
            .Add("writes_during", during.Count)
            .Publish(options);
    }

    private static HolderProcess StartHolder(ProcessCluster cluster, int sessions, int sessionTimeoutSeconds)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Coordinator.Bench.dll"), "--workload", "hold-sessions", "--servers", string.Join(',', cluster.Endpoints),
            "--clients", sessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--session-timeout", sessionTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--prefix", Prefix,
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the holder");
        var holder = new HolderProcess(process);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith(StormHolder.Ready, StringComparison.Ordinal) == true)
            {
                holder.Ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                Console.Error.WriteLine($"  holder: {text}");
            }
        };
        process.Exited += (_, _) => holder.Ready.TrySetException(new InvalidOperationException("the holder exited before it held its sessions"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return holder;
    }

    private sealed class HolderProcess(Process process) : IDisposable
    {
        public Process Process { get; } = process;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }
            Process.Dispose();
        }
    }

    /// <summary>Write latencies by phase: 0 warm-up, 1 before the kill, 2 from the kill until the last node went.</summary>
    private sealed class PhasedLatencies
    {
        private readonly LatencyRecorder[] _phases = [new(), new(), new(), new()];
        private int _errors;
        private int _phase;

        public int Phase
        {
            get => Volatile.Read(ref _phase);
            set => Volatile.Write(ref _phase, value);
        }

        public int Errors => _errors;

        public void Record(TimeSpan latency) => _phases[Phase].Record(latency);

        public void Failed()
        {
            if (Phase == 2)
            {
                Interlocked.Increment(ref _errors);
            }
        }

        public LatencyRecorder Of(int phase) => _phases[phase];
    }
}
