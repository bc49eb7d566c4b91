using Coordinator.Client;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Every mutation of the state goes through one of these primitives, which records how to reverse it in the undo
/// log of the running Apply. A failed multi rolls back to where it began; an exception anywhere rolls the whole
/// Apply back, so a command is all-or-nothing. Entries are structs in one reused list, so recording allocates
/// nothing on the hot path. Each primitive does the step that can throw (a dictionary insert) before it records,
/// and records before the steps that cannot, so the log never misses a change that happened.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    private readonly List<UndoEntry> _undo = [];

    /// <summary>
    /// Test seam: every Apply throws right after its n-th recorded mutation (0 = never), which is how the property
    /// tests stage a failure at any point of a command. Costs one compare per mutation.
    /// </summary>
    internal int FaultAtMutation { get; set; }

    private readonly record struct UndoMark(int Entries, int Events, int Containers);

    private UndoMark Mark() => new(_undo.Count, _events.Count, _emptiedContainers.Count);

    /// <summary>Reverses every mutation recorded since <paramref name="mark"/>, newest first, and drops its events.</summary>
    private void RollBack(UndoMark mark)
    {
        for (var i = _undo.Count - 1; i >= mark.Entries; i--)
        {
            Reverse(_undo[i]);
        }
        _undo.RemoveRange(mark.Entries, _undo.Count - mark.Entries);
        _events.RemoveRange(mark.Events, _events.Count - mark.Events);
        _emptiedContainers.RemoveRange(mark.Containers, _emptiedContainers.Count - mark.Containers);
    }

    private void Record(in UndoEntry entry)
    {
        _undo.Add(entry);
        if (_undo.Count == FaultAtMutation)
        {
            throw new InvalidOperationException($"Fault injected after mutation {FaultAtMutation}");
        }
    }

    private void AddChild(DataNode parent, string name, DataNode child)
    {
        parent.ChildrenForWrite().Add(name, child);
        Record(new UndoEntry(UndoKind.ChildAdded, parent, name, null, parent.ChildVersion, parent.ChildrenModifiedSlot));
        parent.ChildVersion = unchecked(parent.ChildVersion + 1);
        parent.ChildrenModifiedSlot = _slot;
    }

    private void RemoveChild(DataNode parent, string name, DataNode child)
    {
        parent.Children!.Remove(name);
        Record(new UndoEntry(UndoKind.ChildRemoved, parent, name, child, parent.ChildVersion, parent.ChildrenModifiedSlot));
        parent.ChildVersion = unchecked(parent.ChildVersion + 1);
        parent.ChildrenModifiedSlot = _slot;
    }

    private void WriteData(DataNode node, byte[] data)
    {
        Record(new UndoEntry(UndoKind.DataWritten, node, node.Data, node.Ttl, node.Version, node.ModifiedSlot, node.ModifiedTime));
        node.Data = data;
        node.Version = unchecked(node.Version + 1);
        node.ModifiedSlot = _slot;
        node.ModifiedTime = _time.Now;
        if (node.Ttl is { } ttl)
        {
            node.Ttl = ttl with { Since = _time.Clock };
        }
    }

    private void AddToIndex(SortedSet<string> index, string path)
    {
        if (index.Add(path))
        {
            Record(new UndoEntry(UndoKind.IndexAdded, index, path));
        }
    }

    private void RemoveFromIndex(SortedSet<string> index, string path)
    {
        if (index.Remove(path))
        {
            Record(new UndoEntry(UndoKind.IndexRemoved, index, path));
        }
    }

    private void AddTimer(long due, TimerKind kind, string path)
    {
        if (_timers.Add(new TimerEntry(due, kind, path)))
        {
            Record(new UndoEntry(UndoKind.TimerAdded, null, path, null, due, (long)kind));
        }
    }

    private void RemoveTimer(TimerEntry timer)
    {
        if (_timers.Remove(timer))
        {
            Record(new UndoEntry(UndoKind.TimerRemoved, null, timer.Path, null, timer.Due, (long)timer.Kind));
        }
    }

    private void AddSession(Session session)
    {
        _sessions.Add(session.Id, session);
        Record(new UndoEntry(UndoKind.SessionAdded, session));
    }

    private void RemoveSession(Session session)
    {
        _sessions.Remove(session.Id);
        Record(new UndoEntry(UndoKind.SessionRemoved, session));
    }

    private void MarkSeen(Session session)
    {
        RecordSession(session);
        session.LastSeen = _time.Now;
    }

    /// <summary>Keeps the session's seen time and exactly-once entry; the caller then changes any of them.</summary>
    private void RecordSession(Session session) =>
        Record(new UndoEntry(UndoKind.SessionChanged, session, session.LastResult, null, session.LastSeen, session.LastSequence));

    private void AddLock(string path, LockState state)
    {
        if (_locks.TryAdd(path, state))
        {
            Record(new UndoEntry(UndoKind.LockAdded, null, path));
        }
    }

    private void RemoveLock(string path, LockState state)
    {
        if (_locks.Remove(path))
        {
            Record(new UndoEntry(UndoKind.LockRemoved, state, path));
        }
    }

    private void AddHolder(LockState state, LockHolder holder)
    {
        state.Holders.Add(holder);
        Record(new UndoEntry(UndoKind.HolderAdded, state));
    }

    private void RemoveHolder(LockState state, LockHolder holder)
    {
        var index = state.Holders.IndexOf(holder);
        state.Holders.RemoveAt(index);
        Record(new UndoEntry(UndoKind.HolderRemoved, state, holder, null, index));
    }

    private void AddWaiter(LockState state, LockWaiter waiter)
    {
        state.Waiters.Add(waiter);
        Record(new UndoEntry(UndoKind.WaiterAdded, state));
    }

    private void RemoveWaiter(LockState state, int index)
    {
        var waiter = state.Waiters[index];
        state.Waiters.RemoveAt(index);
        Record(new UndoEntry(UndoKind.WaiterRemoved, state, waiter, null, index));
    }

    private void SetDelay(LockState state, long? until)
    {
        Record(new UndoEntry(UndoKind.DelayChanged, state, null, null, state.DelayedUntil ?? 0, state.DelayedUntil is null ? 0 : 1));
        state.DelayedUntil = until;
    }

    private void SetUpgradePending(LockState state, bool pending)
    {
        Record(new UndoEntry(UndoKind.UpgradeChanged, state, null, null, state.UpgradePending ? 1 : 0));
        state.UpgradePending = pending;
    }

    private void RenewHolder(LockHolder holder)
    {
        Record(new UndoEntry(UndoKind.HolderRenewed, holder, null, null, holder.RenewedAt));
        holder.RenewedAt = _time.Clock;
    }

    private long IssueToken()
    {
        Record(new UndoEntry(UndoKind.TokenIssued, null, null, null, _lastToken));
        return ++_lastToken;
    }

    private void Reverse(in UndoEntry e)
    {
        switch (e.Kind)
        {
            case UndoKind.ChildAdded:
                RestoreChildren((DataNode)e.Target!, e.X, e.Y).Children!.Remove((string)e.Arg!);
                break;
            case UndoKind.ChildRemoved:
                RestoreChildren((DataNode)e.Target!, e.X, e.Y).Children!.Add((string)e.Arg!, (DataNode)e.Extra!);
                break;
            case UndoKind.DataWritten:
                var node = (DataNode)e.Target!;
                node.Data = (byte[])e.Arg!;
                node.Version = (int)e.X;
                node.ModifiedSlot = e.Y;
                node.ModifiedTime = e.Z;
                node.Ttl = (NodeTtl?)e.Extra;
                break;
            case UndoKind.IndexAdded:
                ((SortedSet<string>)e.Target!).Remove((string)e.Arg!);
                break;
            case UndoKind.IndexRemoved:
                ((SortedSet<string>)e.Target!).Add((string)e.Arg!);
                break;
            case UndoKind.TimerAdded:
                _timers.Remove(new TimerEntry(e.X, (TimerKind)e.Y, (string)e.Arg!));
                break;
            case UndoKind.TimerRemoved:
                _timers.Add(new TimerEntry(e.X, (TimerKind)e.Y, (string)e.Arg!));
                break;
            case UndoKind.SessionAdded:
                _sessions.Remove(((Session)e.Target!).Id);
                break;
            case UndoKind.SessionRemoved:
                var removed = (Session)e.Target!;
                _sessions.Add(removed.Id, removed);
                break;
            case UndoKind.SessionChanged:
                var session = (Session)e.Target!;
                session.LastResult = (OpResult?)e.Arg;
                session.LastSeen = e.X;
                session.LastSequence = e.Y;
                break;
            case UndoKind.LockAdded:
                _locks.Remove((string)e.Arg!);
                break;
            case UndoKind.LockRemoved:
                _locks.Add((string)e.Arg!, (LockState)e.Target!);
                break;
            case UndoKind.HolderAdded:
                var holders = ((LockState)e.Target!).Holders;
                holders.RemoveAt(holders.Count - 1);
                break;
            case UndoKind.HolderRemoved:
                ((LockState)e.Target!).Holders.Insert((int)e.X, (LockHolder)e.Arg!);
                break;
            case UndoKind.WaiterAdded:
                var waiters = ((LockState)e.Target!).Waiters;
                waiters.RemoveAt(waiters.Count - 1);
                break;
            case UndoKind.WaiterRemoved:
                ((LockState)e.Target!).Waiters.Insert((int)e.X, (LockWaiter)e.Arg!);
                break;
            case UndoKind.DelayChanged:
                ((LockState)e.Target!).DelayedUntil = e.Y == 0 ? null : e.X;
                break;
            case UndoKind.UpgradeChanged:
                ((LockState)e.Target!).UpgradePending = e.X == 1;
                break;
            case UndoKind.HolderRenewed:
                ((LockHolder)e.Target!).RenewedAt = e.X;
                break;
            case UndoKind.TokenIssued:
                _lastToken = e.X;
                break;
            case UndoKind.Reverted:
                ((Action)e.Target!)();
                break;
        }
    }

    private static DataNode RestoreChildren(DataNode parent, long childVersion, long childrenSlot)
    {
        parent.ChildVersion = (int)childVersion;
        parent.ChildrenModifiedSlot = childrenSlot;
        return parent;
    }

    private enum UndoKind : byte
    {
        ChildAdded,
        ChildRemoved,
        DataWritten,
        IndexAdded,
        IndexRemoved,
        TimerAdded,
        TimerRemoved,
        SessionAdded,
        SessionRemoved,
        SessionChanged,
        LockAdded,
        LockRemoved,
        HolderAdded,
        HolderRemoved,
        WaiterAdded,
        WaiterRemoved,
        DelayChanged,
        UpgradeChanged,
        HolderRenewed,
        TokenIssued,

        /// <summary>A rare change (an ACL, a user) that carries its own reversal, so it stays beside its code.</summary>
        Reverted,
    }

    /// <summary>One reversible step: what it touched and the old values it needs; the meaning depends on Kind.</summary>
    private readonly record struct UndoEntry(
        UndoKind Kind, object? Target, object? Arg = null, object? Extra = null, long X = 0, long Y = 0, long Z = 0);
}
