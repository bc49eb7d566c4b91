using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Akka.Remote.Transport;

namespace Coordinator.Service.FaultInjection;

/// <summary>
/// Applies <see cref="BlackholeCommand"/>s to the throttler under this replica's transport. The throttler keys
/// associations by the remote system's host and port (inbound ones too, by the address in their handshake), so a
/// blackholed peer is cut in both directions on every connection. Clients are not listed in the configuration:
/// every remote system that is not a replica counts as a client, including those that associate during the cut.
/// A command is answered with <see cref="BlackholeApplied"/> once the throttler has taken every change it made, so the
/// harness knows the cut holds before it goes on.
/// </summary>
internal sealed class TransportBlackholeActor : ReceiveActor
{
    private readonly HashSet<(string Host, int Port)> _replicas;
    private readonly HashSet<(string Host, int Port)> _clients = [];
    private HashSet<(string Host, int Port)> _cut = [];
    private bool _clientsCut;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public TransportBlackholeActor(IEnumerable<string> replicaEndpoints)
    {
        _replicas = [.. replicaEndpoints.Select(Split)];
        Receive<AssociatedEvent>(associated => Associated(associated.RemoteAddress));
        Receive<BlackholeCommand>(Apply);
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AssociatedEvent));

    private void Associated(Address remote)
    {
        if (remote.Host is not { } host || remote.Port is not { } port || _replicas.Contains((host, port)) || !_clients.Add((host, port)))
        {
            return;
        }
        if (_clientsCut && _cut.Add((host, port)))
        {
            Throttle((host, port), Blackhole.Instance);
        }
    }

    private void Apply(BlackholeCommand command)
    {
        var cut = command.Endpoints.ToHashSet();
        if (command.Clients)
        {
            cut.UnionWith(_clients);
        }
        if (cut.SetEquals(_cut) && command.Clients == _clientsCut)
        {
            Sender.Tell(BlackholeApplied.Instance);
            return;
        }
        var changes = _cut.Except(cut).Select(endpoint => Throttle(endpoint, Unthrottled.Instance))
            .Concat(cut.Except(_cut).Select(endpoint => Throttle(endpoint, Blackhole.Instance)))
            .ToList();
        _cut = cut;
        _clientsCut = command.Clients;
        _log.Warning("Fault injection: transport cut now {0} ({1} client systems known)", command, _clients.Count);
        Task.WhenAll(changes).ContinueWith(_ => BlackholeApplied.Instance, TaskScheduler.Default).PipeTo(Sender);
    }

    private Task Throttle((string Host, int Port) endpoint, ThrottleMode mode)
    {
        // The throttler ignores protocol and system name: host and port identify the remote system.
        var address = new Address(TransportBlackhole.Protocol, "any", endpoint.Host, endpoint.Port);
        var log = _log;
        var provider = (IRemoteActorRefProvider)((ExtendedActorSystem)Context.System).Provider;
        return provider.Transport
            .ManagementCommand(new SetThrottle(address, ThrottleTransportAdapter.Direction.Both, mode))
            .ContinueWith(applied =>
            {
                if (!applied.IsCompletedSuccessfully || !applied.Result)
                {
                    log.Error(applied.Exception, "Fault injection: the throttler did not take {0} for {1}", mode, address);
                }
            }, TaskScheduler.Default);
    }

    private static (string Host, int Port) Split(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return (endpoint[..colon], int.Parse(endpoint[(colon + 1)..]));
    }
}
