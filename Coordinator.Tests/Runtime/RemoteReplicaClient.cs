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

    public Task<ReplicaStatus?> StatusAsync(int id) => StatusAsync(id, TimeSpan.FromSeconds(1));

    public async Task<ReplicaStatus?> StatusAsync(int id, TimeSpan timeout)
    {
        try
        {
            return await Replica(id).Ask<ReplicaStatus>(StatusRequest.Instance, timeout);
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
            // All at once, briefly: a replica still starting would otherwise hold up noticing the others for its timeout.
            var statuses = await Task.WhenAll(candidates.Select(id => StatusAsync(id, TimeSpan.FromMilliseconds(250))));
            if (statuses.FirstOrDefault(status => status is { Role: ProposerRole.Leader }) is { } leader)
            {
                return leader;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"none of {string.Join(',', candidates)} led within {within}");
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();

    private ActorSelection Replica(int id) => _system.ActorSelection(ReplicaSettings.ReplicaPathOf(_endpoints[id]));
}
