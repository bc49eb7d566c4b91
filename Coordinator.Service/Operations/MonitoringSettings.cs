using Akka.Configuration;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Operations;

/// <summary>
/// Where a replica serves its Prometheus metrics and health probes (<c>coordinator.monitoring</c> in HOCON), and what
/// its readiness tolerates. <paramref name="Host"/> is null when monitoring is off, the default.
/// </summary>
/// <param name="ReadyMaxLag">Slots this replica may trail what it knows is chosen and still report ready.</param>
internal sealed record MonitoringSettings(string? Host, int Port, long ReadyMaxLag)
{
    public const string Path = "coordinator.monitoring";

    public bool Enabled => Host is not null;

    public string Endpoint => $"{Host}:{Port}";

    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static MonitoringSettings Create(Config? section)
    {
        var hocon = new HoconSection(section, Path);
        var endpoint = hocon.String("http-endpoint").Trim();
        var maxLag = hocon.Long("ready-max-lag");
        if (maxLag < 0)
        {
            throw hocon.Invalid("ready-max-lag", "must not be negative");
        }
        if (endpoint.Length == 0)
        {
            return new MonitoringSettings(null, 0, maxLag);
        }
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            throw hocon.Invalid("http-endpoint", $"= '{endpoint}': expected \"host:port\" with a port in 1..65535, or \"\" for none");
        }
        return new MonitoringSettings(endpoint[..colon].Trim('[', ']'), port, maxLag);
    }
}
