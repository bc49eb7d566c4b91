using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coordinator.Client;
using Coordinator.Client.Diagnostics;
using Coordinator.Tests.Infrastructure;
using Coordinator.Tests.Runtime;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace Coordinator.Tests.Operations;

/// <summary>
/// Three real replica processes with their monitoring ports on: /metrics is scraped over HTTP while a client writes,
/// /health/ready follows the replica's quorum, and the client's own meter, spans and health check tell the
/// application what its session does.
/// </summary>
[Trait("Category", "Operations")]
[Collection(ReplicaCollection.Name)]
public sealed class MonitoringProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_scrape_during_writes_parses_as_Prometheus_text_and_its_counters_move()
    {
        using var cluster = await MonitoringCluster.StartAsync("metrics");
        foreach (var id in cluster.Endpoints.Keys)
        {
            await cluster.AwaitReadinessAsync(id, 200, Startup);
        }
        await using var client = await ProcessClients.ConnectAsync(cluster.Endpoints.Values);
        await client.CreateAsync("/warm", []);
        var before = await ScrapeAllAsync(cluster);

        const int writes = 60;
        using var writing = new CancellationTokenSource();
        var scrapes = Task.Run(async () =>
        {
            var count = 0;
            while (!writing.IsCancellationRequested)
            {
                foreach (var id in cluster.Endpoints.Keys)
                {
                    await cluster.ScrapeAsync(id);
                    count++;
                }
            }
            return count;
        });
        for (var i = 0; i < writes; i++)
        {
            await client.CreateAsync($"/node-{i}", [(byte)i]);
        }
        await Assert.ThrowsAsync<NodeExistsException>(() => client.CreateAsync("/node-0", []));
        await client.GetDataAsync("/node-1");
        await writing.CancelAsync();
        output.WriteLine($"{await scrapes} scrapes parsed while writing");
        var after = await ScrapeAllAsync(cluster);

        double Moved(string name, params (string, string)[] labels) =>
            after.Values.Sum(scrape => scrape.Sum(name, labels)) - before.Values.Sum(scrape => scrape.Sum(name, labels));
        Assert.Equal(writes, Moved("coordinator_gateway_requests_total", ("operation", "create"), ("result", "ok")));
        Assert.Equal(1, Moved("coordinator_gateway_requests_total", ("operation", "create"), ("result", "node_exists")));
        Assert.Equal(1, Moved("coordinator_gateway_requests_total", ("operation", "get_data"), ("result", "ok")));
        // A write resent after a slow answer is queued again (and applied once): proposals may exceed commits.
        Assert.True(Moved("coordinator_replica_proposals_total") >= writes + 1);
        Assert.Equal(writes + 1, Moved("coordinator_replica_commit_duration_seconds_count"));
        foreach (var (id, scrape) in after)
        {
            Assert.True(scrape.Sum("coordinator_replica_chosen_slots_total") > before[id].Sum("coordinator_replica_chosen_slots_total"), $"replica {id} applied nothing");
            Assert.True(scrape.Sum("coordinator_replica_journal_write_duration_seconds_count") > before[id].Sum("coordinator_replica_journal_write_duration_seconds_count"));
            Assert.Equal(1, scrape.Sum("coordinator_replica_role", ("role", "leader")) + scrape.Sum("coordinator_replica_role", ("role", "follower")));
            Assert.True(scrape.Sum("coordinator_replica_applied_slot") >= writes);
            Assert.True(scrape.Has("coordinator_replica_lag") && scrape.Has("coordinator_replica_ballot") && scrape.Has("coordinator_replica_leader_changes_total"));
            Assert.True(scrape.Has("coordinator_replica_locks_held") && scrape.Has("coordinator_gateway_watches"));
        }
        var leader = Assert.Single(after.Values, scrape => scrape.Sum("coordinator_replica_role", ("role", "leader")) == 1);
        // Only a leader times commits: it is where a command waits from its submission to its application.
        Assert.Equal("histogram", leader.Types["coordinator_replica_commit_duration_seconds"]);
        Assert.True(leader.Sum("coordinator_replica_commit_duration_seconds_sum") > 0);
        // The write path's stages (the latency budget): every commit waited, went through a quorum and was applied.
        Assert.True(Moved("coordinator_replica_write_queued_duration_seconds_count") >= writes + 1);
        Assert.True(Moved("coordinator_replica_write_quorum_duration_seconds_count") >= 1);
        Assert.True(Moved("coordinator_replica_write_apply_duration_seconds_count") >= writes + 1);
        // Sessions are sampled once a second: the client's session (and the warm-up writes' own) show up in the tree.
        await Eventually(async () => (await cluster.ScrapeAsync(1)).Sum("coordinator_replica_sessions") >= 1, "the session gauge counts the client's session");
    }

    [Fact]
    public async Task Readiness_follows_the_quorum_and_the_client_health_check_follows_its_session()
    {
        using var cluster = await MonitoringCluster.StartAsync("health");
        foreach (var id in cluster.Endpoints.Keys)
        {
            await cluster.AwaitReadinessAsync(id, 200, Startup);
        }
        Assert.Equal((200, "live\n"), await cluster.GetAsync(1, "/health/live"));
        Assert.Equal(404, (await cluster.GetAsync(1, "/health/other")).Status);

        var options = new CoordinatorClientOptions
        {
            SessionTimeout = TimeSpan.FromSeconds(4),
            RequestTimeout = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(60),
        };
        options.Servers.Add(cluster.Endpoints[1]);
        await using var client = await CoordinatorClient.ConnectAsync(options);
        var check = new CoordinatorHealthCheck(client);
        // The client publishes Connected just after ConnectAsync returns.
        await Eventually(async () => (await check.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy,
            "the client reports its attached session healthy");

        cluster.Kill(2);
        cluster.Kill(3);
        var unready = await cluster.AwaitReadinessAsync(1, 503, TimeSpan.FromSeconds(20));
        output.WriteLine($"alone: {unready.Trim()}");
        Assert.Contains("no leader", unready);
        Assert.Equal(200, (await cluster.GetAsync(1, "/health/live")).Status);
        // Replica 1 still answers heartbeats, but no leader confirms them: the client's deadline runs out.
        await Eventually(async () => (await check.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Unhealthy,
            "the client reports its session unhealthy once it expired", TimeSpan.FromSeconds(20));

        cluster.Start(2);
        cluster.Start(3);
        foreach (var id in cluster.Endpoints.Keys)
        {
            var ready = await cluster.AwaitReadinessAsync(id, 200, Startup);
            output.WriteLine($"replica {id} back: {ready.Trim()}");
        }
    }

    [Fact]
    public async Task The_client_publishes_a_span_and_measurements_per_operation_and_logs_through_the_applications_logger()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CoordinatorDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);
        var operations = new ConcurrentDictionary<(string?, string?), long>();
        var sessions = new ConcurrentDictionary<string, long>();
        using var metering = new MeterListener();
        metering.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CoordinatorDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        metering.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "coordinator.client.operations")
            {
                operations.AddOrUpdate((Tag(tags, "operation"), Tag(tags, "result")), value, (_, total) => total + value);
            }
        });
        metering.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "coordinator.client.sessions")
            {
                sessions.AddOrUpdate(Tag(tags, "state")!, value, (_, total) => total + value);
            }
        });
        metering.Start();

        using var cluster = await MonitoringCluster.StartAsync("client-telemetry");
        var logs = new RecordingLoggerFactory();
        var options = new CoordinatorClientOptions { ConnectTimeout = TimeSpan.FromSeconds(60), LoggerFactory = logs };
        foreach (var server in cluster.Endpoints.Values)
        {
            options.Servers.Add(server);
        }
        await using (var client = await CoordinatorClient.ConnectAsync(options))
        {
            await Eventually(() => Task.FromResult(sessions.GetValueOrDefault("connected") == 1), "a connected client counts as connected");
            await client.CreateAsync("/traced", [1]);
            await Assert.ThrowsAsync<NoNodeException>(() => client.GetDataAsync("/missing"));
            await client.SetDataAsync("/traced", [2]);
        }
        await Eventually(() => Task.FromResult(sessions.GetValueOrDefault("connected") == 0), "a disposed client no longer counts as connected");
        Assert.Equal(1, operations.GetValueOrDefault(("create", "ok")));
        Assert.Equal(1, operations.GetValueOrDefault(("get_data", "no_node")));
        Assert.Equal(1, operations.GetValueOrDefault(("set_data", "ok")));
        Assert.Contains(logs.Lines, line => line.StartsWith("Coordinator.Client Information: Session ", StringComparison.Ordinal) && line.EndsWith(" is Connected", StringComparison.Ordinal));
        var create = Assert.Single(spans, span => span.OperationName == "coordinator create");
        Assert.Equal("/traced", create.GetTagItem("coordinator.path"));
        Assert.Equal(ActivityKind.Client, create.Kind);
        var missing = Assert.Single(spans, span => span.OperationName == "coordinator get_data");
        Assert.Equal(ActivityStatusCode.Error, missing.Status);
        Assert.Equal("NoNode", missing.GetTagItem("error.type"));
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }
        return null;
    }

    private static async Task<Dictionary<int, PrometheusText>> ScrapeAllAsync(MonitoringCluster cluster)
    {
        var scrapes = new Dictionary<int, PrometheusText>();
        foreach (var id in cluster.Endpoints.Keys)
        {
            scrapes[id] = await cluster.ScrapeAsync(id);
        }
        return scrapes;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(200);
        }
    }
}
