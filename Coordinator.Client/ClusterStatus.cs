using Akka.Actor;
using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// Asks every listed server about its replica: role, ballot, leader, applied and chosen slots, sessions, watches and
/// Akka cluster members. Needs no session, so monitoring and <c>coord status</c> work even while the cluster has no
/// quorum.
/// </summary>
public static class ClusterStatus
{
    public static Task<IReadOnlyList<ServerStatusReport>> QueryAsync(
        IEnumerable<string> servers, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        QueryAsync(new CoordinatorClientOptions { Servers = [.. servers] }, timeout, cancellationToken);

    /// <summary>Asks <see cref="CoordinatorClientOptions.Servers"/>, through a transport set up as the options say (TLS included).</summary>
    public static async Task<IReadOnlyList<ServerStatusReport>> QueryAsync(
        CoordinatorClientOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var system = ClientSystem.Create(options);
        try
        {
            return await Task.WhenAll(options.Servers.Select(server => QueryOneAsync(system, server, timeout, cancellationToken))).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    private static async Task<ServerStatusReport> QueryOneAsync(ActorSystem system, string server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var status = await GatewayAddress.Select(system, server).Ask<ServerStatus>(new StatusQuery(1), timeout, cancellationToken).ConfigureAwait(false);
            return new ServerStatusReport(server, status.ReplicaId, status.Role, status.Ballot, status.LeaderId, status.AppliedBelow,
                status.KnownChosenBelow, status.AttachedSessions, status.Watches, status.Members, null, status.ClusterId);
        }
        catch (Exception failure) when (failure is AskTimeoutException or TaskCanceledException or ArgumentException)
        {
            var reason = failure is ArgumentException ? failure.Message : $"no answer within {timeout.TotalSeconds:0.#} s";
            return new ServerStatusReport(server, 0, "unreachable", "", 0, 0, 0, 0, 0, [], reason);
        }
    }
}
