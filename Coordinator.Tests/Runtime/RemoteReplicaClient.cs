using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// A bare Akka.Remote client of the replica protocol for tests of replica processes: proposes through any listed
/// replica and asks for status, with its own ActorSystem on a free loopback port.
/// </summary>
internal sealed class RemoteReplicaClient : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IReadOnlyDictionary<int, string> _endpoints;

    public RemoteReplicaClient(IReadOnlyDictionary<int, string> endpoints)
    {
        _endpoints = endpoints;
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            """).WithFallback(ReplicaHost.ReferenceConfig);
        _system = ActorSystem.Create("test-client", config);
    }

    public async Task<ProposeResponse> ProposeAsync(Coordinator.Core.Consensus.Command command, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        var ids = _endpoints.Keys.ToArray();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var response = await Replica(ids[attempt % ids.Length]).Ask<ProposeResponse>(new ProposeRequest(command), TimeSpan.FromMilliseconds(750));
                if (response.Status == ProposeStatus.Applied)
                {
                    return response;
                }
            }
            catch (AskTimeoutException)
            {
            }
            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"{command} was not applied within {within}.");
            }
            await Task.Delay(50);
        }
    }

    public async Task<ReplicaStatus?> StatusAsync(int id)
    {
        try
        {
            return await Replica(id).Ask<ReplicaStatus>(StatusRequest.Instance, TimeSpan.FromSeconds(1));
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private ActorSelection Replica(int id) => _system.ActorSelection(ReplicaSettings.ReplicaPathOf(_endpoints[id]));
}
