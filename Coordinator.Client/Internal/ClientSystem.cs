using Akka.Actor;
using Akka.Configuration;

namespace Coordinator.Client;

/// <summary>The client's own ActorSystem: remote, an ephemeral port, the client protocol serializer bound.</summary>
internal static class ClientSystem
{
    public const string Name = "coordinator-client";

    public static ActorSystem Create(CoordinatorClientOptions options)
    {
        // The frame must hold the largest allowed data plus the message around it, as on the replicas.
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              # A client library must not write to its host's console: Akka's logging stays off unless asked for.
              loglevel = {{Environment.GetEnvironmentVariable("COORDINATOR_CLIENT_LOGLEVEL") ?? "OFF"}}
              stdout-loglevel = OFF
              actor {
                provider = remote
                serializers {
                  coordinator-client = "Coordinator.Client.Serialization.ClientProtocolSerializer, Coordinator.Client"
                }
                serialization-bindings {
                  "Coordinator.Client.Protocol.ClientMessage, Coordinator.Client" = coordinator-client
                }
              }
              remote {
                retry-gate-closed-for = 200ms
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  hostname = "{{options.LocalHostname}}"
                  port = 0
                  maximum-frame-size = 16MiB
                  send-buffer-size = 16MiB
                  receive-buffer-size = 16MiB
                }
              }
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-actor-system-terminate = on
            }
            """);
        return ActorSystem.Create(Name, config);
    }
}
