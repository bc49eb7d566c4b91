using Akka.Actor;

namespace Coordinator.Client;

/// <summary>A replica's "host:port" and the fixed path of its gateway actor.</summary>
internal static class GatewayAddress
{
    public const string SystemName = "coordinator";

    /// <exception cref="ArgumentException">The server is not host:port.</exception>
    public static (string Host, int Port) Endpoint(string server)
    {
        var colon = server.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"server '{server}' is not host:port with a port between 1 and 65535.", nameof(server));
        }
        return (server[..colon], port);
    }

    /// <summary>
    /// The gateway's path under the protocol of the client's own transport ("akka.tcp", or with transport adapters
    /// such as the fault harness's throttler "akka.trttl.tcp"): a replica only answers to its own protocol.
    /// </summary>
    public static ActorSelection Select(ActorSystem system, string server)
    {
        var (host, port) = Endpoint(server);
        var protocol = ((ExtendedActorSystem)system).Provider.DefaultAddress.Protocol;
        return system.ActorSelection($"{protocol}://{SystemName}@{host}:{port}/user/gateway");
    }
}
