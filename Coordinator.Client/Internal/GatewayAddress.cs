using Akka.Actor;

namespace Coordinator.Client;

/// <summary>A replica's "host:port" and the fixed path of its gateway actor.</summary>
internal static class GatewayAddress
{
    public const string SystemName = "coordinator";

    public static string Parse(string server)
    {
        var colon = server.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"'{server}' is not host:port.", nameof(server));
        }
        return $"akka.tcp://{SystemName}@{server[..colon]}:{port}/user/gateway";
    }

    public static ActorSelection Select(ActorSystem system, string server) => system.ActorSelection(Parse(server));
}
