using System.Globalization;
using System.Text.Json;

namespace Coordinator.Bench;

/// <summary>
/// One run's figures: printed as a table row, and appended as one JSON object per line to <c>--json FILE</c> with the
/// fields <c>workload, clients, tls, auth, duration_s, ops, ops_per_sec, p50_ms .. max_ms, errors</c> plus the workload's own.
/// </summary>
internal sealed class BenchReport
{
    private readonly List<KeyValuePair<string, object?>> _fields = [];

    public BenchReport(BenchOptions options, LoopResult loop, double? durationSeconds = null)
    {
        var seconds = durationSeconds ?? options.Duration.TotalSeconds;
        var latencies = loop.Latencies;
        Add("system", "coordinator");
        Add("workload", options.Workload);
        Add("clients", options.Clients);
        Add("tls", options.Tls);
        Add("auth", options.Auth);
        Add("duration_s", seconds);
        Add("ops", latencies.Count);
        Add("ops_per_sec", Math.Round(latencies.Count / seconds, 1));
        Add("p50_ms", Round(latencies.Percentile(0.50)));
        Add("p90_ms", Round(latencies.Percentile(0.90)));
        Add("p99_ms", Round(latencies.Percentile(0.99)));
        Add("p999_ms", Round(latencies.Percentile(0.999)));
        Add("max_ms", Round(latencies.Percentile(1.0)));
        Add("errors", loop.Errors);
    }

    public BenchReport Add(string name, object value)
    {
        // JSON has no infinity: a client that never recovered inside the window is reported as null ("none").
        _fields.Add(new(name, value is double number ? (double.IsFinite(number) ? Round(number) : null!) : value));
        return this;
    }

    public void Publish(BenchOptions options)
    {
        Console.WriteLine(string.Join("  ", _fields.Select(field => $"{field.Key}={Format(field.Value)}")));
        if (options.JsonPath is { } path)
        {
            var json = JsonSerializer.Serialize(_fields.ToDictionary(field => field.Key, field => field.Value));
            File.AppendAllText(path, json + Environment.NewLine);
        }
    }

    private static double Round(double value) => double.IsNaN(value) ? 0 : Math.Round(value, 3);

    private static string Format(object? value) => value switch
    {
        null => "none",
        double number => number.ToString("0.###", CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
