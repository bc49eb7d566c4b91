using Akka.Configuration;
using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;
using Coordinator.Service.Operations;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Operations;

[Trait("Category", "Operations")]
public sealed class MonitoringUnitTests
{
    private static readonly ReplicaState Following = new(true, 1_000, ProposerRole.Follower, 3, 3, 2, 100, 100, 0);

    [Fact]
    public void Readiness_needs_recovery_a_known_leader_a_ticking_actor_and_a_bounded_lag()
    {
        Assert.True(ReplicaHealth.Readiness(Following, 1_500, 10).Ready);
        Assert.Equal((false, "recovering its journal"), ReplicaHealth.Readiness(ReplicaState.Recovering, 1_500, 10));
        Assert.Contains("no leader", ReplicaHealth.Readiness(Following with { LeaderId = 0 }, 1_500, 10).Reason);
        Assert.True(ReplicaHealth.Readiness(Following with { KnownChosenBelow = 110 }, 1_500, 10).Ready);
        Assert.Contains("11 slots behind", ReplicaHealth.Readiness(Following with { KnownChosenBelow = 111 }, 1_500, 10).Reason);
        var stuckAt = 1_000 + ReplicaHealth.StuckAfterMs + 1;
        Assert.False(ReplicaHealth.Readiness(Following, stuckAt, 10).Ready);
        Assert.False(ReplicaHealth.Liveness(Following, stuckAt).Live);
        Assert.True(ReplicaHealth.Liveness(ReplicaState.Recovering, stuckAt).Live);
    }

    [Fact]
    public void Monitoring_is_off_by_default_and_an_endpoint_is_checked()
    {
        var reference = ReplicaHost.ReferenceConfig.GetConfig(MonitoringSettings.Path);
        Assert.False(MonitoringSettings.Create(reference).Enabled);
        Assert.Equal(1000, MonitoringSettings.Create(reference).ReadyMaxLag);
        var on = MonitoringSettings.Create(Section("http-endpoint = \"0.0.0.0:9464\"", reference));
        Assert.Equal(("0.0.0.0", 9464), (on.Host, on.Port));
        Assert.Equal("::1", MonitoringSettings.Create(Section("http-endpoint = \"[::1]:9464\"", reference)).Host);
        foreach (var bad in new[] { "http-endpoint = \"9464\"", "http-endpoint = \"host:0\"", "http-endpoint = \"host:x\"", "ready-max-lag = -1" })
        {
            Assert.Throws<ConfigurationException>(() => MonitoringSettings.Create(Section(bad, reference)));
        }
        Assert.Throws<ConfigurationException>(() => MonitoringSettings.Create(null));
    }

    [Fact]
    public void Akkas_own_events_print_from_warning_up_in_text_unless_configured()
    {
        var reference = ReplicaHost.ReferenceConfig.GetConfig(LoggingSettings.Path);
        Assert.Equal(new LoggingSettings(Akka.Event.LogLevel.WarningLevel, false), LoggingSettings.Create(reference));
        Assert.Equal(new LoggingSettings(Akka.Event.LogLevel.InfoLevel, true), LoggingSettings.Create(Section("akka-level = INFO\nformat = json", reference)));
        Assert.Equal(LoggingSettings.Off, LoggingSettings.Create(Section("akka-level = off", reference)).AkkaLevel);
        Assert.Throws<ConfigurationException>(() => LoggingSettings.Create(Section("akka-level = loud", reference)));
        Assert.Throws<ConfigurationException>(() => LoggingSettings.Create(Section("format = xml", reference)));
    }

    [Fact]
    public void The_fault_harness_reads_leader_elections_from_the_replicas_text_log()
    {
        using var directory = new Infrastructure.TempDirectory("log-format");
        var election = new Akka.Event.Info("akka.tcp://coordinator@127.0.0.1:4001/user/replica", typeof(ReplicaActor), "Replica 2 leads with ballot 3.2 from slot 7");
        var at = election.Timestamp.AddTicks(-(election.Timestamp.Ticks % TimeSpan.TicksPerMillisecond));
        var line = ConciseLogger.Format(election, own: true);
        Assert.Equal($"{at:yyyy-MM-ddTHH:mm:ss.fff}Z INFO  [replica] Replica 2 leads with ballot 3.2 from slot 7", line);
        File.WriteAllLines(Path.Combine(directory.Path, "replica-2.log"), ["replica 2 up on 127.0.0.1:4001, one of 3 replicas", line]);
        Assert.Equal([(at, 2)], Coordinator.Faults.Harness.LeaderElections.Read(directory.Path));
    }

    [Fact]
    public void The_fault_harness_reads_leaders_stepping_down_from_the_replicas_text_log()
    {
        using var directory = new Infrastructure.TempDirectory("log-format");
        var stepDown = new Akka.Event.Info("akka.tcp://coordinator@127.0.0.1:4001/user/replica", typeof(ReplicaActor), "Replica 2 stepped down; leader now 0");
        var at = stepDown.Timestamp.AddTicks(-(stepDown.Timestamp.Ticks % TimeSpan.TicksPerMillisecond));
        File.WriteAllLines(Path.Combine(directory.Path, "replica-2.log"), [ConciseLogger.Format(stepDown, own: true)]);
        Assert.Equal([(at, 2)], Coordinator.Faults.Harness.LeaderElections.ReadStepDowns(directory.Path));
        Assert.Empty(Coordinator.Faults.Harness.LeaderElections.Read(directory.Path));
    }

    [Fact]
    public void An_encoded_results_code_is_read_without_decoding_it()
    {
        Assert.Equal(ErrorCode.Ok, ResultCodec.PeekCode(ResultCodec.Encode(new CreatedResult("/a", default))));
        Assert.Equal(ErrorCode.Ok, ResultCodec.PeekCode(ResultCodec.Encode(OkResult.Instance)));
        Assert.Equal(ErrorCode.NoNode, ResultCodec.PeekCode(ResultCodec.Encode(new ErrorResult(ErrorCode.NoNode))));
        Assert.Equal(ErrorCode.BadVersion, ResultCodec.PeekCode(ResultCodec.Encode(new MultiErrorResult(ErrorCode.BadVersion, 1, [ErrorCode.Ok, ErrorCode.BadVersion]))));
        Assert.Null(ResultCodec.PeekCode([]));
        Assert.Null(ResultCodec.PeekCode([200]));
    }

    [Fact]
    public void The_exposition_parser_accepts_well_formed_text_and_refuses_the_rest()
    {
        var good = PrometheusText.Parse("""
            # TYPE requests_total counter
            # HELP requests_total Requests.
            requests_total{operation="create",result="ok"} 3
            requests_total{operation="a\"b\\c"} 1 1700000000000
            # TYPE latency_seconds histogram
            latency_seconds_bucket{le="0.1"} 1
            latency_seconds_bucket{le="+Inf"} 2
            latency_seconds_sum 0.3
            latency_seconds_count 2

            """.Replace("\r", ""));
        Assert.Equal(3, good.Sum("requests_total", ("result", "ok")));
        Assert.Equal(1, good.Sum("requests_total", ("operation", "a\"b\\c")));
        string[] bad =
        [
            "# TYPE requests counter\nrequests 1\n",
            "x{a=\"1\"} one\n",
            "x{a=1} 1\n",
            "x{1a=\"1\"} 1\n",
            "x 1\ny 1\nx 2\n",
            "x 1\n# TYPE x gauge\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n",
            "bad-name 1\n",
        ];
        foreach (var text in bad)
        {
            Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
        }
    }

    private static Config Section(string hocon, Config reference) => ConfigurationFactory.ParseString(hocon).WithFallback(reference);
}
