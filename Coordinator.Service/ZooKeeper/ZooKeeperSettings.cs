using Akka.Configuration;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.ZooKeeper;

/// <summary>
/// The ZooKeeper front end of a replica (<c>coordinator.zookeeper</c> in HOCON). <paramref name="Host"/> is null when
/// it is off, the default.
/// </summary>
/// <param name="MaxFrameBytes">ZooKeeper's jute.maxbuffer: a longer frame closes its connection.</param>
/// <param name="MaxQueuedRequests">Requests one connection may have unanswered before the server stops reading it.</param>
internal sealed record ZooKeeperSettings(string? Host, int Port, int MaxFrameBytes, int MaxQueuedRequests)
{
    public const string Path = "coordinator.zookeeper";

    public bool Enabled => Host is not null;

    public string Endpoint => $"{Host}:{Port}";

    /// <exception cref="ConfigurationException">A key is missing or invalid.</exception>
    public static ZooKeeperSettings Create(Config? section)
    {
        var hocon = new HoconSection(section, Path);
        var endpoint = hocon.String("endpoint").Trim();
        var maxFrame = hocon.Int32Bytes("max-frame-bytes");
        if (maxFrame < 1024)
        {
            throw hocon.Invalid("max-frame-bytes", "must be at least 1KiB");
        }
        var maxQueued = hocon.Int("max-queued-requests");
        if (maxQueued < 1)
        {
            throw hocon.Invalid("max-queued-requests", "must be at least 1");
        }
        if (endpoint.Length == 0)
        {
            return new ZooKeeperSettings(null, 0, maxFrame, maxQueued);
        }
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            throw hocon.Invalid("endpoint", $"= '{endpoint}': expected \"host:port\" with a port in 1..65535, or \"\" for none");
        }
        return new ZooKeeperSettings(endpoint[..colon].Trim('[', ']'), port, maxFrame, maxQueued);
    }
}
