using Akka.Actor;
using Akka.Configuration;

namespace Coordinator.Client;

/// <summary>
/// The clients' ActorSystem: remote, an ephemeral port, the client protocol serializer bound. All clients of a
/// process that bind the same hostname with the same extra configuration and TLS options share one, counted: an ActorSystem
/// (remoting, thread pools, timers) per session would cost each process far more than the sessions themselves.
/// </summary>
internal static class ClientSystem
{
    public const string Name = "coordinator-client";

    private static readonly Dictionary<(string Hostname, string AkkaConfig, CoordinatorTlsOptions? Tls), (ActorSystem System, int Users)> Shared = [];

    public static ActorSystem Acquire(CoordinatorClientOptions options)
    {
        lock (Shared)
        {
            var key = (options.LocalHostname, options.AkkaConfig, options.Tls);
            if (Shared.TryGetValue(key, out var shared) && !shared.System.WhenTerminated.IsCompleted)
            {
                Shared[key] = (shared.System, shared.Users + 1);
                return shared.System;
            }
            var system = Create(options);
            Shared[key] = (system, 1);
            return system;
        }
    }

    public static Task ReleaseAsync(ActorSystem system)
    {
        lock (Shared)
        {
            foreach (var (key, shared) in Shared)
            {
                if (shared.System != system)
                {
                    continue;
                }
                if (shared.Users > 1)
                {
                    Shared[key] = (system, shared.Users - 1);
                    return Task.CompletedTask;
                }
                Shared.Remove(key);
                break;
            }
        }
        return system.Terminate();
    }

    public static ActorSystem Create(CoordinatorClientOptions options)
    {
        // The frame must hold the largest allowed data plus the message around it, as on the replicas.
        var defaults = ConfigurationFactory.ParseString($$"""
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
                  "Coordinator.Core.Protocol.ClientMessage, Coordinator.Core" = coordinator-client
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
        var config = string.IsNullOrWhiteSpace(options.AkkaConfig) ? defaults : ConfigurationFactory.ParseString(options.AkkaConfig).WithFallback(defaults);
        if (options.Tls is not { } tls)
        {
            return ActorSystem.Create(Name, config);
        }
        var bootstrap = BootstrapSetup.Create().WithConfig(TransportTls.Over(config));
        return ActorSystem.Create(Name, bootstrap.And(TransportTls.ForClient(tls)));
    }
}
