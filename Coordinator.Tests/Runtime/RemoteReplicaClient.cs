using Akka.Actor;
using Akka.Configuration;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;

namespace Coordinator.Tests.Runtime;

/// <summary>
/// A bare Akka.Remote client of the replica protocol for tests of replica processes: asks any listed replica for its
/// status, with its own ActorSystem on a free loopback port. (Proposals go through gateways: a replica ignores them
/// from anyone but its gateway and its peers.)
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

    /// <summary>Sends <paramref name="message"/> to replica <paramref name="id"/> as any stranger on the network could.</summary>
    public void Tell(int id, object message) => Replica(id).Tell(message);

    /// <summary>The first of <paramref name="candidates"/> found leading, polled for up to <paramref name="within"/>.</summary>
    public async Task<ReplicaStatus> LeaderAsync(IEnumerable<int> candidates, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var id in candidates)
            {
                if (await StatusAsync(id) is { Role: ProposerRole.Leader } status)
                {
                    return status;
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"none of {string.Join(',', candidates)} led within {within}");
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private ActorSelection Replica(int id) => _system.ActorSelection(ReplicaSettings.ReplicaPathOf(_endpoints[id]));
}
