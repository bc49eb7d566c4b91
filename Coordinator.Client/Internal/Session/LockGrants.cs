using Coordinator.Core.Protocol;

namespace Coordinator.Client;

/// <summary>
/// The locks this session waits for (an Upgrade waits for its write grant as an Acquire waits for its grant), and grants that arrived before the Acquire's answer said "queued" (a grant
/// replayed on attach can overtake the answer to the resent Acquire). Fencing tokens only grow, so a grant whose token
/// is not above the last one this session saw for the lock is a copy of an old grant (a replica that applies the old
/// slot late, or a replay), and is ignored: taken for the grant of a later Acquire it would hand out a stale token.
/// </summary>
internal sealed class LockGrants
{
    private readonly Dictionary<string, TaskCompletionSource<long>> _waits = [];
    private readonly Dictionary<string, long> _early = [];
    private readonly Dictionary<string, long> _lastToken = [];

    /// <summary>
    /// Queued locks, and the one an unanswered Acquire may have queued. A grant applied while the session was
    /// between gateways reached no one, so the next gateway is asked for it.
    /// </summary>
    public List<string> Awaited(Transaction? inFlight)
    {
        var awaited = _waits.Keys.ToList();
        if (inFlight is Acquire { Wait: true } or Upgrade { Wait: true } && GrantPath(inFlight) is var path && !awaited.Contains(path))
        {
            awaited.Add(path);
        }
        return awaited;
    }

    /// <returns>The wait to complete with the token; null when nobody waits yet (the grant is kept for the answer).</returns>
    public TaskCompletionSource<long>? Granted(string path, long token)
    {
        if (!Saw(path, token))
        {
            return null;
        }
        if (_waits.Remove(path, out var wait))
        {
            return wait;
        }
        _early[path] = token;
        return null;
    }

    public void Lost(string path) => _early.Remove(path);

    /// <summary>What the answer to a lock write means for its waits.</summary>
    /// <param name="grant">For a queued Acquire, the task that completes with the token.</param>
    /// <param name="abandoned">For a Withdraw or Release, the wait nobody will complete now.</param>
    public void Answered(Transaction write, OpResult result, out Task<long>? grant, out TaskCompletionSource<long>? abandoned)
    {
        grant = null;
        abandoned = null;
        switch (write, result)
        {
            case (Acquire or Upgrade, LockAcquiredResult acquired):
                // A grant replayed on attach for this request while it was unanswered: the answer already carries it.
                _early.Remove(GrantPath(write));
                Saw(GrantPath(write), acquired.Token);
                return;
            case (Acquire or Upgrade, LockQueuedResult):
                var path = GrantPath(write);
                if (_early.Remove(path, out var token))
                {
                    grant = Task.FromResult(token);
                    return;
                }
                var wait = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits[path] = wait;
                grant = wait.Task;
                return;
            case (Withdraw or Release, { IsOk: true }):
                var given = write is Withdraw w ? w.Path : ((Release)write).Path;
                _early.Remove(given);
                if (_waits.Remove(given, out var left))
                {
                    abandoned = left;
                }
                return;
        }
    }

    private static string GrantPath(Transaction write) => write is Upgrade upgrade ? upgrade.Path : ((Acquire)write).Path;

    /// <returns>Whether <paramref name="token"/> is newer than every token seen for <paramref name="path"/>.</returns>
    private bool Saw(string path, long token)
    {
        if (_lastToken.TryGetValue(path, out var last) && token <= last)
        {
            return false;
        }
        _lastToken[path] = token;
        return true;
    }

    /// <summary>Every wait, forgotten: the session ended.</summary>
    public List<TaskCompletionSource<long>> TakeAll()
    {
        var all = _waits.Values.ToList();
        _waits.Clear();
        return all;
    }
}
