using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>Read side for the gateway, the leader's session tracker and simulations. Nothing here mutates.</summary>
internal sealed partial class CoordinatorStateMachine
{
    public NodeRead GetData(string path) =>
        Lookup(path, out var node) is var code && code != ErrorCode.Ok
            ? new NodeRead(code, default, ReadOnlyMemory<byte>.Empty)
            : new NodeRead(ErrorCode.Ok, node!.ToStat(), node.Data);

    public NodeRead Exists(string path) =>
        Lookup(path, out var node) is var code && code != ErrorCode.Ok
            ? new NodeRead(code, default, ReadOnlyMemory<byte>.Empty)
            : new NodeRead(ErrorCode.Ok, node!.ToStat(), ReadOnlyMemory<byte>.Empty);

    public ChildrenRead GetChildren(string path) =>
        Lookup(path, out var node) is var code && code != ErrorCode.Ok
            ? new ChildrenRead(code, default, [])
            : new ChildrenRead(ErrorCode.Ok, node!.ToStat(), node.SortedChildNames());

    public SessionInfo? GetSession(long sessionId) =>
        _sessions.TryGetValue(sessionId, out var s)
            ? new SessionInfo(s.Id, s.TimeoutMs, s.Secret, s.LastSeen, s.Deadline, s.LastSequence, [.. s.Ephemerals], [.. s.Locks], s.User)
            : null;

    public IReadOnlyList<long> SessionIds() => SortedSessions().Select(s => s.Id).ToArray();

    /// <summary>Every session's id and timeout, unsorted and uncopied: what a new leader's tracker starts from.</summary>
    public IEnumerable<(long SessionId, int TimeoutMs)> SessionTimeouts() => _sessions.Values.Select(s => (s.Id, s.TimeoutMs));

    /// <summary>
    /// Sessions whose replicated deadline (last command or touch + timeout) is before <paramref name="now"/>.
    /// The leader's tracker seeds itself from this on election (after granting every session a fresh timeout)
    /// and proposes ExpireSession for what it decides is dead.
    /// </summary>
    public IReadOnlyList<long> SessionsExpiredAt(long now) =>
        SortedSessions().Where(s => now > s.Deadline).Select(s => s.Id).ToArray();

    public LockInfo? GetLock(string path) =>
        path is not null && _locks.TryGetValue(path, out var state) ? ToInfo(path, state) : null;

    public IReadOnlyList<string> LockPaths() => SortedLockPaths();

    public long CountNodes() => Count(_root);

    public int SessionCount => _sessions.Count;

    /// <summary>Grants held (each holder of a shared lock counts) and sessions queued, over every lock.</summary>
    public (int Held, int Waiting) LockCounts()
    {
        int held = 0, waiting = 0;
        foreach (var state in _locks.Values)
        {
            held += state.Holders.Count;
            waiting += state.Waiters.Count;
        }
        return (held, waiting);
    }

    private ErrorCode Lookup(string path, out DataNode? node)
    {
        node = null;
        if (!PathRules.IsValid(path, _settings.MaxPathLength))
        {
            return ErrorCode.InvalidPath;
        }
        node = Find(path);
        return node is null ? ErrorCode.NoNode : ErrorCode.Ok;
    }

    private Session[] SortedSessions()
    {
        var sessions = _sessions.Values.ToArray();
        Array.Sort(sessions, (a, b) => a.Id.CompareTo(b.Id));
        return sessions;
    }

    private string[] SortedLockPaths()
    {
        var paths = _locks.Keys.ToArray();
        Array.Sort(paths, StringComparer.Ordinal);
        return paths;
    }

    /// <summary>Deadlines are on the duration clock (<see cref="Clock"/>), restarts included.</summary>
    private LockInfo ToInfo(string path, LockState state) => new(
        path,
        state.Holders.Select(h => new LockHolderInfo(h.SessionId, h.Mode, h.Token, h.LeaseTtlMs is null ? null : LeaseDue(h) - 1)).ToArray(),
        [.. state.Waiters],
        state.DelayedUntil is { } until ? DelayDue(until) : null,
        state.Capacity,
        state.UpgradePending);

    private static long Count(DataNode node)
    {
        long count = 1;
        if (node.Children is { } children)
        {
            foreach (var child in children.Values)
            {
                count += Count(child);
            }
        }
        return count;
    }
}
