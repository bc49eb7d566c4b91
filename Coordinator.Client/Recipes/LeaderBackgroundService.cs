using Microsoft.Extensions.Hosting;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A hosted service whose work runs only while this process leads an election: it campaigns, runs
/// <see cref="LeadAsync"/> with a token cancelled when leadership is (or may be) lost or the host stops, and resigns
/// only after that work returned, so the next leader cannot start before this one stopped. When the work returns by
/// itself, the service resigns and campaigns again.
/// </summary>
/// <remarks>
/// Built over client options, the service owns its sessions: when one ends (a partition longer than the session
/// timeout), the work is stopped, the session is replaced by a new one and the service campaigns again. Built over an
/// election on an application's client, it cannot replace that client's session, and fails with
/// <see cref="SessionExpiredException"/> when it ends.
/// </remarks>
public abstract class LeaderBackgroundService : BackgroundService
{
    private readonly LeaderElection? _election;
    private readonly CoordinatorClientOptions? _clientOptions;
    private readonly string _name;
    private readonly byte[] _candidateData;

    /// <summary>Campaigns in <paramref name="election"/>, on the application's client.</summary>
    protected LeaderBackgroundService(LeaderElection election, byte[] candidateData)
    {
        ArgumentNullException.ThrowIfNull(election);
        ArgumentNullException.ThrowIfNull(candidateData);
        _election = election;
        _name = election.Name;
        _candidateData = candidateData;
    }

    /// <summary>Campaigns in the election <paramref name="electionName"/> on sessions of its own, connected with these options.</summary>
    protected LeaderBackgroundService(CoordinatorClientOptions clientOptions, string electionName, byte[] candidateData)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        ArgumentException.ThrowIfNullOrEmpty(electionName);
        ArgumentNullException.ThrowIfNull(candidateData);
        clientOptions.Validate();
        _clientOptions = clientOptions;
        _name = electionName;
        _candidateData = candidateData;
    }

    /// <summary>How long to wait before campaigning again after the cluster could not be reached.</summary>
    protected virtual TimeSpan RetryDelay => TimeSpan.FromSeconds(1);

    /// <summary>The work of the leader. Must stop promptly when <paramref name="leadershipToken"/> fires.</summary>
    protected abstract Task LeadAsync(CancellationToken leadershipToken);

    /// <summary>A session of the service's own ended; it opens a new one and campaigns again. Must not throw.</summary>
    protected virtual void OnSessionLost(Exception error)
    {
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_election is not null)
        {
            await CampaignAsync(_election, stoppingToken).ConfigureAwait(false);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            CoordinatorClient client;
            try
            {
                client = await CoordinatorClient.ConnectAsync(_clientOptions!, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (CoordinatorException)
            {
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            await using (client.ConfigureAwait(false))
            {
                try
                {
                    await CampaignAsync(client.Election(_name), stoppingToken).ConfigureAwait(false);
                }
                catch (SessionExpiredException expired)
                {
                    OnSessionLost(expired);
                }
            }
        }
    }

    /// <summary>Campaigns, leads and resigns, again and again, until the host stops or the session ends.</summary>
    private async Task CampaignAsync(LeaderElection election, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Leadership leadership;
            try
            {
                leadership = await election.CampaignAsync(_candidateData, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ConnectionLossException or RequestRejectedException)
            {
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            await using (leadership.ConfigureAwait(false))
            {
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, leadership.LostToken);
                try
                {
                    await LeadAsync(leading.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (leading.IsCancellationRequested)
                {
                    // Leadership ended or the host is stopping: both are how the work is meant to end.
                }
            }
        }
    }
}
