using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Tests.ClientLibrary;

/// <summary>What one fake gateway received, and the client to answer.</summary>
internal sealed record Received(int Gateway, ClientMessage Message, IActorRef Client);

/// <summary>
/// Fake replicas for client tests: each an actor named "gateway" in its own ActorSystem "coordinator" on a free
/// loopback port, all feeding one inbox in arrival order so a test sees which gateway the client talked to.
/// Heartbeats and CloseSession are answered by themselves; a silent gateway drops everything, as a dead one would.
/// </summary>
internal sealed class FakeGateways : IAsyncDisposable
{
    private readonly List<ActorSystem> _systems = [];
    private readonly List<IActorRef> _gateways = [];
    private readonly Channel<Received> _inbox = Channel.CreateUnbounded<Received>();
    private readonly bool[] _silent;

    public FakeGateways(int count)
    {
        _silent = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var system = ActorSystem.Create("coordinator", Config);
            _systems.Add(system);
            var index = i;
            _gateways.Add(system.ActorOf(Props.Create(() => new GatewayActor(this, index)), "gateway"));
            var port = ((ExtendedActorSystem)system).Provider.DefaultAddress.Port;
            Servers.Add($"127.0.0.1:{port}");
        }
    }

    public List<string> Servers { get; } = [];

    private static Config Config { get; } = ConfigurationFactory.ParseString("""
        akka {
          loglevel = ERROR
          stdout-loglevel = ERROR
          actor {
            provider = remote
            serializers.coordinator-client = "Coordinator.Client.Serialization.ClientProtocolSerializer, Coordinator.Client"
            serialization-bindings { "Coordinator.Core.Protocol.ClientMessage, Coordinator.Core" = coordinator-client }
          }
          remote.log-remote-lifecycle-events = off
          remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, maximum-frame-size = 16MiB }
        }
        """);

    public void Silence(int gateway) => Volatile.Write(ref _silent[gateway], true);

    public void Reply(Received to, ClientMessage message) => to.Client.Tell(message, _gateways[to.Gateway]);

    public void Push(int gateway, IActorRef client, ClientMessage message) => client.Tell(message, _gateways[gateway]);

    public async Task<(T Message, Received From)> ExpectAsync<T>(TimeSpan? within = null)
        where T : ClientMessage
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(3));
        Received received;
        try
        {
            received = await _inbox.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No {typeof(T).Name} arrived within {within ?? TimeSpan.FromSeconds(3)}.");
        }
        return received.Message is T message
            ? (message, received)
            : throw new Xunit.Sdk.XunitException($"Expected {typeof(T).Name}, got {received.Message} at gateway {received.Gateway}.");
    }

    public async Task ExpectNothingAsync(TimeSpan during)
    {
        await Task.Delay(during);
        Assert.False(_inbox.Reader.TryRead(out var unexpected), $"Unexpected {unexpected?.Message}");
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(_systems.Select(system => system.Terminate()));

    private sealed class GatewayActor : ReceiveActor
    {
        public GatewayActor(FakeGateways owner, int index)
        {
            Receive<ClientMessage>(message =>
            {
                if (Volatile.Read(ref owner._silent[index]))
                {
                    return;
                }
                switch (message)
                {
                    case SessionsHeartbeat heartbeat:
                        Sender.Tell(new SessionsHeartbeatAck(heartbeat.HeartbeatId, 0, heartbeat.SessionIds), Self);
                        return;
                    case WriteRequest write when TransactionCodec.Decode(write.Transaction).Value is CloseSession:
                        Sender.Tell(new WriteResponse(write.RequestId, 0, ResultCodec.Encode(OkResult.Instance)), Self);
                        return;
                    default:
                        owner._inbox.Writer.TryWrite(new Received(index, message, Sender));
                        return;
                }
            });
        }
    }
}
