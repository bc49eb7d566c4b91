using Akka.Actor;
using Akka.Remote.Transport;
using Akka.Remote.Transport.DotNetty;

namespace Coordinator.Client;

/// <summary>Creates <see cref="HandshakeProbeTransport"/> for Akka.Remote, named <see cref="Name"/> in <c>akka.remote.adapters</c>.</summary>
internal sealed class HandshakeProbeAdapter : ITransportAdapterProvider
{
    public const string Name = "coordinator-tls-probe";

    public Transport Create(Transport wrappedTransport, ExtendedActorSystem system)
    {
        var setup = system.Settings.Setup.Get<DotNettySslSetup>();
        if (!setup.HasValue)
        {
            throw new InvalidOperationException($"{Name} needs the {nameof(DotNettySslSetup)} that TransportTls builds.");
        }
        var timeout = system.Settings.Config.GetTimeSpan("akka.remote.dot-netty.tcp.connection-timeout", TimeSpan.FromSeconds(15));
        return new HandshakeProbeTransport(wrappedTransport, system, setup.Value, timeout);
    }
}
