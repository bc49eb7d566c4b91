using System.Net;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Coordinator.Service.Operations;

/// <summary>
/// One replica's monitoring port: <c>/metrics</c> in Prometheus' text format (OpenTelemetry's Prometheus exporter over
/// the replica's and its gateway's meters, plus .NET's own <c>System.Runtime</c> meter), and the probes
/// <c>/health/live</c> and <c>/health/ready</c> (200 or 503, with one line saying why). Both listeners share the port:
/// .NET's HttpListener routes each request to the one with the longest matching prefix.
/// </summary>
internal sealed class MonitoringServer : IDisposable
{
    private readonly MeterProvider _meters;
    private readonly HttpListener _health;
    private readonly ReplicaMetrics _replica;
    private readonly MonitoringSettings _settings;
    private readonly Task _serving;

    private MonitoringServer(MeterProvider meters, HttpListener health, ReplicaMetrics replica, MonitoringSettings settings)
    {
        _meters = meters;
        _health = health;
        _replica = replica;
        _settings = settings;
        _serving = Task.Run(ServeHealthAsync);
    }

    /// <exception cref="HttpListenerException">The endpoint cannot be listened on (taken, or not an address of this host).</exception>
    public static MonitoringServer Start(MonitoringSettings settings, ReplicaMetrics replica, GatewayMetrics gateway)
    {
        var host = settings.Host is "0.0.0.0" or "::" or "*" ? "+" : settings.Host!.Contains(':') ? $"[{settings.Host}]" : settings.Host;
        var meters = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("coordinator-replica", serviceInstanceId: replica.ReplicaId.ToString()))
            .AddMeter(ReplicaMetrics.MeterName, GatewayMetrics.MeterName, "System.Runtime")
            // Every replica of a development cluster runs in one process with meters of the same names: each port
            // shows only its own replica's.
            .AddView(instrument => instrument.Meter.Name.StartsWith("Coordinator.", StringComparison.Ordinal)
                && instrument.Meter != replica.Meter && instrument.Meter != gateway.Meter
                    ? MetricStreamConfiguration.Drop
                    : null)
            .AddPrometheusHttpListener(options =>
            {
                options.Host = host;
                options.Port = settings.Port;
                options.ScrapeEndpointPath = "/metrics";
                // Each scrape collects afresh: a cached answer would hide the last moments from a probe that just wrote.
                options.ScrapeResponseCacheDurationMilliseconds = 0;
            })
            .Build();
        var health = new HttpListener();
        try
        {
            health.Prefixes.Add($"http://{host}:{settings.Port}/health/");
            health.Start();
        }
        catch
        {
            meters.Dispose();
            ((IDisposable)health).Dispose();
            throw;
        }
        return new MonitoringServer(meters, health, replica, settings);
    }

    public void Dispose()
    {
        _health.Close();
        _serving.Wait(TimeSpan.FromSeconds(2));
        _meters.Dispose();
    }

    private async Task ServeHealthAsync()
    {
        while (_health.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _health.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Answer(context);
        }
    }

    private static (int Status, string Reason) Probe((bool Healthy, string Reason) answer) => (answer.Healthy ? 200 : 503, answer.Reason);

    private void Answer(HttpListenerContext context)
    {
        var state = _replica.State;
        var now = Environment.TickCount64;
        var (status, reason) = context.Request.Url?.AbsolutePath.TrimEnd('/') switch
        {
            "/health/live" => Probe(ReplicaHealth.Liveness(state, now)),
            "/health/ready" => Probe(ReplicaHealth.Readiness(state, now, _settings.ReadyMaxLag)),
            _ => (404, "not found: /metrics, /health/live and /health/ready are served here"),
        };
        var body = Encoding.UTF8.GetBytes(reason + "\n");
        try
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.ContentLength64 = body.Length;
            context.Response.OutputStream.Write(body);
            context.Response.Close();
        }
        catch (Exception gone) when (gone is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The prober hung up; the next probe asks again.
        }
    }
}
