namespace Coordinator.Bench;

/// <summary>
/// <c>sessions</c>: opens <c>--clients</c> idle sessions (default 10,000; client i on replica i mod 3), holds them
/// <c>--duration</c> seconds while they heartbeat, and reports the replicas' resident memory before and after, and per
/// session (summed over the replicas, as ZooKeeper's driver reports it), and, when dotnet-gcdump is installed, the
/// managed heap after a full collection, and each process's CPU while the sessions sit idle (replicas from /proc, this
/// client process from its own counters). Every replica holds every session (sessions are replicated state); only one gateway holds its attachment.
/// </summary>
internal static class SessionsBench
{
    public static int Run(string[] args)
    {
        var options = BenchOptions.Parse("sessions", args, defaultClients: 10_000);
        RunAsync(options).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(BenchOptions options)
    {
        await using var cluster = await ProcessCluster.StartAsync(options);
        await using (var warm = await BenchClients.ConnectAsync(cluster, cluster.Endpoints.Count))
        {
            await warm.CreateKeysAsync();
        }
        await Task.Delay(options.Warmup);
        var heapBefore = await HeapAsync(cluster);
        var before = Resident(cluster);
        var connecting = System.Diagnostics.Stopwatch.StartNew();
        await using var clients = await BenchClients.ConnectAsync(cluster, options.Clients,
            progress: connected => Console.WriteLine($"  {connected} sessions connected after {connecting.Elapsed.TotalSeconds:F1} s"));
        var connectSeconds = connecting.Elapsed.TotalSeconds;
        // Idle from here on: what the replicas and this process spend is what holding the sessions costs.
        var idle = System.Diagnostics.Stopwatch.StartNew();
        var cpuBefore = CpuTimes(cluster);
        await Task.Delay(options.Duration);
        var cpuAfter = CpuTimes(cluster);
        var idleSeconds = idle.Elapsed.TotalSeconds;
        var after = Resident(cluster);
        var heapAfter = await HeapAsync(cluster);
        var alive = clients.Clients.Count(client => client.State is Coordinator.Client.ConnectionState.Connected or Coordinator.Client.ConnectionState.Reconnected);
        var perSession = after.Zip(before, (a, b) => (a - b) / (double)options.Clients).ToArray();
        var report = new BenchReport(options, new LoopResult(new LatencyRecorder(), options.Clients - alive))
            .Add("sessions_alive", alive)
            .Add("connect_s", connectSeconds);
        if (heapBefore.Concat(heapAfter).All(heap => heap is not null))
        {
            // As ZooKeeper's figure: the three replicas' heap growth after a full GC, summed, per session.
            report.Add("heap_bytes_per_session", (heapAfter.Sum()!.Value - heapBefore.Sum()!.Value) / (double)options.Clients);
        }
        for (var replica = 0; replica < before.Length; replica++)
        {
            report.Add($"replica{replica + 1}_rss_before_mib", before[replica] / 1048576.0)
                .Add($"replica{replica + 1}_rss_after_mib", after[replica] / 1048576.0);
        }
        for (var process = 0; process < cpuBefore.Length; process++)
        {
            var name = process < cluster.Endpoints.Count ? $"replica{process + 1}" : "client_process";
            report.Add($"{name}_idle_cpu_percent", Math.Round(100 * (cpuAfter[process] - cpuBefore[process]).TotalSeconds / idleSeconds, 1));
        }
        report.Add("rss_bytes_per_session", perSession.Sum()).Publish(options);
    }

    private static async Task<long?[]> HeapAsync(ProcessCluster cluster)
    {
        var heaps = new long?[cluster.Endpoints.Count];
        for (var replica = 0; replica < heaps.Length; replica++)
        {
            heaps[replica] = await cluster.ManagedHeapBytesAsync(replica);
        }
        return heaps;
    }

    /// <summary>Each replica's CPU time so far, then this client process's.</summary>
    private static TimeSpan[] CpuTimes(ProcessCluster cluster) =>
        [.. Enumerable.Range(0, cluster.Endpoints.Count).Select(cluster.CpuTime), System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime];

    private static long[] Resident(ProcessCluster cluster) => [.. Enumerable.Range(0, cluster.Endpoints.Count).Select(cluster.ResidentBytes)];
}
