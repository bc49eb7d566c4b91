using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace Coordinator.Service.ZooKeeper;

/// <summary>
/// Accepts ZooKeeper clients on the replica's ZooKeeper port; each connection becomes a
/// <see cref="ZooKeeperConnection"/> actor that speaks to the replica's gateway as any client does.
/// </summary>
internal sealed class ZooKeeperListener : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    private ZooKeeperListener(TcpListener listener) => _listener = listener;

    public IPEndPoint LocalEndpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <exception cref="SocketException">The endpoint cannot be bound.</exception>
    public static ZooKeeperListener Start(ActorSystem system, ZooKeeperSettings settings, IActorRef gateway, IActorRef replica)
    {
        var address = IPAddress.TryParse(settings.Host, out var literal) ? literal : Dns.GetHostAddresses(settings.Host!)[0];
        var listener = new TcpListener(address, settings.Port);
        listener.Start();
        var front = new ZooKeeperListener(listener);
        _ = front.AcceptAsync(system, settings, gateway, replica);
        return front;
    }

    private async Task AcceptAsync(ActorSystem system, ZooKeeperSettings settings, IActorRef gateway, IActorRef replica)
    {
        var log = Logging.GetLogger(system, nameof(ZooKeeperListener));
        long accepted = 0;
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException failed)
            {
                log.Warning("ZooKeeper port {0}: accept failed: {1}", settings.Endpoint, failed.Message);
                continue;
            }
            socket.NoDelay = true;
            try
            {
                system.ActorOf(Props.Create(() => new ZooKeeperConnection(socket, gateway, replica, settings)), $"zookeeper-{++accepted}");
            }
            catch (Exception) when (system.WhenTerminated.IsCompleted)
            {
                socket.Dispose();
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
