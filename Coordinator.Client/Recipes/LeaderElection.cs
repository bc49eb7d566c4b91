using System.Runtime.CompilerServices;
using Coordinator.Core.Protocol;

namespace Coordinator.Client.Recipes;

/// <summary>
/// An election among the sessions that campaign under one name. Leadership is the exclusive lock
/// <c>/election/{name}</c> (FIFO, so candidates take over in campaign order, and only after the lock-delay when a
/// leader vanished); the leader then publishes its data in the ephemeral node of the same path, which is what
/// <see cref="GetLeaderAsync"/> and <see cref="ObserveAsync"/> read. The node can lag the lock (a new leader has the
/// lock a moment before its node exists), never lead it: a node exists only while its session holds the lock. The
/// leader changes what it advertises, and stays leader, with <see cref="Leadership.ProclaimAsync"/> (etcd's Proclaim).
/// </summary>
public sealed class LeaderElection
{
    private readonly CoordinatorClient _client;

    public LeaderElection(CoordinatorClient client, string name)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _client = client;
        Name = name;
        Path = "/election/" + name;
    }

    public string Name { get; }

    /// <summary>The lock, and the node with the leader's data.</summary>
    public string Path { get; }

    /// <summary>Waits until this session leads, then publishes <paramref name="candidateData"/>.</summary>
    /// <returns>The leadership; dispose it (or <see cref="Leadership.ResignAsync"/>) to step down.</returns>
    public async Task<Leadership> CampaignAsync(byte[] candidateData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidateData);
        var handle = await CoordinatorLockHandle.AcquireAsync(_client, Path, LockMode.Exclusive, null, cancellationToken).ConfigureAwait(false);
        try
        {
            await PublishAsync(candidateData, cancellationToken).ConfigureAwait(false);
            return new Leadership(_client, Path, handle!);
        }
        catch
        {
            await handle!.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <returns>The leader, or null when there is none (or it has not published its data yet).</returns>
    public async Task<ElectionLeader?> GetLeaderAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var node = await _client.GetDataAsync(Path, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ElectionLeader(node.Stat.EphemeralOwner, node.Data, node.Stat.CreatedSlot, node.Stat.ModifiedSlot);
        }
        catch (NoNodeException)
        {
            return null;
        }
    }

    /// <summary>
    /// The current leader (null for none) and then every change of leader or of the data it advertises (a
    /// <see cref="Leadership.ProclaimAsync"/>), until cancelled or the session ends.
    /// </summary>
    public async IAsyncEnumerable<ElectionLeader?> ObserveAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = true;
        (long Since, long Updated)? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A one-shot watch set by the same read that saw the state: no change can fall between the two.
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stat = await _client.ExistsAsync(Path, _ => changed.TrySetResult(), cancellationToken).ConfigureAwait(false);
            var leader = stat is null ? null : await GetLeaderAsync(cancellationToken).ConfigureAwait(false);
            var current = leader is null ? ((long, long)?)null : (leader.Since, leader.Updated);
            if (first || current != last)
            {
                first = false;
                last = current;
                yield return leader;
            }
            await changed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PublishAsync(byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CreateAsync(Path, data, NodeKind.Ephemeral, createParents: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
            // Left by a leader that released the lock without deleting it (its delete was lost): it no longer leads.
            await _client.MultiAsync([Op.Delete(Path), Op.Create(Path, data, NodeKind.Ephemeral)], cancellationToken).ConfigureAwait(false);
        }
    }
}
