using Microsoft.Extensions.Hosting;

namespace Coordinator.Client.Recipes;

/// <summary>
/// A hosted service whose work runs only while this process leads an election: it campaigns, runs
/// <see cref="LeadAsync"/> with a token cancelled when leadership is (or may be) lost or the host stops, and resigns
/// only after that work returned, so the next leader cannot start before this one stopped. When the work returns by
/// itself, the service resigns and campaigns again.
/// </summary>
public abstract class LeaderBackgroundService(LeaderElection election, byte[] candidateData) : BackgroundService
{
    /// <summary>How long to wait before campaigning again after the cluster could not be reached.</summary>
    protected virtual TimeSpan RetryDelay => TimeSpan.FromSeconds(1);

    /// <summary>The work of the leader. Must stop promptly when <paramref name="leadershipToken"/> fires.</summary>
    protected abstract Task LeadAsync(CancellationToken leadershipToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Leadership leadership;
            try
            {
                leadership = await election.CampaignAsync(candidateData, stoppingToken).ConfigureAwait(false);
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
