using Coordinator.Client;
using Coordinator.Core.Consensus;
using Coordinator.Core.Protocol;

namespace Coordinator.Core.StateMachine;

/// <summary>
/// Snapshot layout (version 5), little-endian: version byte; last slot; the time (wall stamp, duration clock,
/// highest term, last batch's term and leader clock, last restart); token; the distinct ACLs, sorted by their text;
/// the tree in pre-order with children sorted ordinally (a TTL node with the duration-clock time its TTL counts from,
/// each node with its ACL's index and ACL version); sessions by id with their exactly-once entry and user; locks by
/// path with their capacity (0 for a lock, the max count for a semaphore; versions 3 and older have no semaphores
/// and no capacity), whether its upgradeable holder waits to upgrade (versions 4 and older have no upgradeable
/// mode), holders and queue; the ended sessions' tombstones in the order they ended (version 2 has none); the users by
/// name with their digests. Versions 4 and older have no ACLs, users or session users: their nodes restore open to
/// anyone and their sessions anonymous. Indexes (ephemerals per session, locks per session,
/// timers) are derived, so rebuilt on restore and never written: equal states give equal bytes whatever history led
/// to them. Version 1 (before the duration clock) still restores: its times were all on the highest stamp, which is
/// what the duration clock equals over batches without a term.
/// </summary>
internal sealed partial class CoordinatorStateMachine
{
    public const byte SnapshotFormatVersion = 5;

    /// <summary>
    /// Version 4: as 5, without the pending-upgrade flag, ACLs, users and session users (before upgradeable locks and
    /// authentication, which came in one version).
    /// </summary>
    private const byte OpenSnapshotFormatVersion = 4;

    /// <summary>Version 3: as 4, without lock capacities (before semaphores).</summary>
    private const byte LockOnlySnapshotFormatVersion = 3;

    /// <summary>Version 2: as 3, without the ended sessions' tombstones.</summary>
    private const byte UntombedSnapshotFormatVersion = 2;

    private const byte UntermedSnapshotFormatVersion = 1;

    /// <summary>Node data of at least this many bytes is referenced by a captured snapshot, not copied.</summary>
    private const int SharedDataBytes = 4096;

    public byte[] Snapshot()
    {
        var capture = BeginSnapshot();
        capture.Advance(int.MaxValue);
        return capture.Result.Assemble();
    }

    private void WriteSnapshotHead(WireWriter writer, NodeAcl[] acls)
    {
        writer.WriteByte(SnapshotFormatVersion);
        writer.WriteInt64(_lastSlot);
        writer.WriteInt64(_time.Now);
        writer.WriteInt64(_time.Clock);
        WriteBallot(writer, _time.Term);
        WriteBallot(writer, _time.LastTerm);
        writer.WriteInt64(_time.LastLeaderClock);
        writer.WriteInt64(_time.RestartedAt);
        writer.WriteInt64(_lastToken);
        writer.WriteInt32(acls.Length);
        foreach (var acl in acls)
        {
            AclCodec.Write(writer, acl.Entries);
        }
    }

    /// <summary>Everything after the tree: sessions, locks, ended sessions, users.</summary>
    private void WriteSnapshotTail(WireWriter writer)
    {
        var sessions = SortedSessions();
        writer.WriteInt32(sessions.Length);
        foreach (var session in sessions)
        {
            writer.WriteInt64(session.Id);
            writer.WriteInt32(session.TimeoutMs);
            writer.WriteInt64(session.Secret);
            writer.WriteInt64(session.LastSeen);
            writer.WriteInt64(session.LastSequence);
            writer.WriteBool(session.LastResult is not null);
            if (session.LastResult is { } result)
            {
                ResultCodec.Write(writer, result);
            }
            writer.WriteString(session.User);
        }

        var lockPaths = SortedLockPaths();
        writer.WriteInt32(lockPaths.Length);
        foreach (var path in lockPaths)
        {
            var state = _locks[path];
            writer.WriteString(path);
            writer.WriteOptionalInt64(state.DelayedUntil);
            writer.WriteInt32(state.Capacity ?? 0);
            writer.WriteBool(state.UpgradePending);
            writer.WriteInt32(state.Holders.Count);
            foreach (var holder in state.Holders)
            {
                writer.WriteInt64(holder.SessionId);
                writer.WriteByte((byte)holder.Mode);
                writer.WriteInt64(holder.Token);
                writer.WriteOptionalInt64(holder.LeaseTtlMs);
                writer.WriteInt64(holder.RenewedAt);
            }
            writer.WriteInt32(state.Waiters.Count);
            foreach (var waiter in state.Waiters)
            {
                writer.WriteInt64(waiter.SessionId);
                writer.WriteByte((byte)waiter.Mode);
                writer.WriteOptionalInt64(waiter.LeaseTtlMs);
            }
        }
        WriteEndedSessions(writer);
        writer.WriteInt32(_users.Count);
        foreach (var (name, digest) in _users)
        {
            writer.WriteString(name);
            writer.WriteInt32(digest.Iterations);
            writer.WriteBytes(digest.Salt);
            writer.WriteBytes(digest.Hash);
        }
    }

    /// <summary>Rebuilds a state machine from <see cref="Snapshot"/>; throws FormatException on a corrupt snapshot.</summary>
    public static CoordinatorStateMachine Restore(byte[] snapshot, StateMachineSettings? settings = null)
    {
        try
        {
            return Read(snapshot, settings);
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new FormatException("Corrupt state machine snapshot", e);
        }
    }

    private static CoordinatorStateMachine Read(byte[] snapshot, StateMachineSettings? settings)
    {
        var reader = new WireReader(snapshot);
        var version = reader.ReadByte();
        if (version is not (SnapshotFormatVersion or OpenSnapshotFormatVersion or LockOnlySnapshotFormatVersion or UntombedSnapshotFormatVersion
            or UntermedSnapshotFormatVersion))
        {
            throw new WireFormatException(CodecError.UnsupportedVersion);
        }
        var lastSlot = reader.ReadInt64();
        var now = reader.ReadInt64();
        var time = version != UntermedSnapshotFormatVersion
            ? new MachineTime(now, reader.ReadInt64(), ReadBallot(ref reader), ReadBallot(ref reader), reader.ReadInt64(), reader.ReadInt64())
            : new MachineTime(now, now, Ballot.Zero, Ballot.Zero, now, 0);
        var machine = new CoordinatorStateMachine(settings)
        {
            _lastSlot = lastSlot,
            _time = time,
            _lastToken = reader.ReadInt64(),
        };
        NodeAcl[]? acls = null;
        if (version == SnapshotFormatVersion)
        {
            acls = new NodeAcl[reader.ReadCount()];
            for (var i = 0; i < acls.Length; i++)
            {
                acls[i] = new NodeAcl(AclCodec.Read(ref reader));
            }
        }
        var root = ReadNode(ref reader, version, acls, out _);
        machine._root.Data = root.Data;
        machine._root.Acl = root.Acl;
        machine._root.AclVersion = root.AclVersion;
        machine._root.Version = root.Version;
        machine._root.ModifiedSlot = root.ModifiedSlot;
        machine._root.ModifiedTime = root.ModifiedTime;
        machine._root.ChildVersion = root.ChildVersion;
        machine._root.ChildrenModifiedSlot = root.ChildrenModifiedSlot;
        if (root.Children is { } rootChildren)
        {
            foreach (var (name, child) in rootChildren)
            {
                machine._root.ChildrenForWrite().Add(name, child);
            }
        }

        var sessionCount = reader.ReadCount();
        for (var i = 0; i < sessionCount; i++)
        {
            var (id, timeout, secret, lastSeen, lastSequence) = (reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
            var lastResult = reader.ReadBool() ? ResultCodec.Read(ref reader) : null;
            var session = new Session(id, timeout, secret, lastSeen)
            {
                LastSequence = lastSequence,
                LastResult = lastResult,
                User = version == SnapshotFormatVersion ? reader.ReadString() : null,
            };
            machine._sessions.Add(session.Id, session);
        }

        var lockCount = reader.ReadCount();
        for (var i = 0; i < lockCount; i++)
        {
            var path = reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue);
            var delayedUntil = reader.ReadOptionalInt64();
            var capacity = version >= OpenSnapshotFormatVersion ? reader.ReadInt32() : 0;
            if (capacity < 0)
            {
                throw new WireFormatException(CodecError.InvalidValue);
            }
            var upgradePending = version == SnapshotFormatVersion && reader.ReadBool();
            var state = new LockState(capacity == 0 ? null : capacity) { DelayedUntil = delayedUntil, UpgradePending = upgradePending };
            var holderCount = reader.ReadCount();
            for (var h = 0; h < holderCount; h++)
            {
                var holder = new LockHolder(reader.ReadInt64(), ReadMode(ref reader), reader.ReadInt64(), reader.ReadOptionalInt64(), 0)
                {
                    RenewedAt = reader.ReadInt64(),
                };
                state.Holders.Add(holder);
            }
            var waiterCount = reader.ReadCount();
            for (var w = 0; w < waiterCount; w++)
            {
                state.Waiters.Add(new LockWaiter(reader.ReadInt64(), ReadMode(ref reader), reader.ReadOptionalInt64()));
            }
            machine._locks.Add(path, state);
        }
        if (version >= LockOnlySnapshotFormatVersion)
        {
            machine.ReadEndedSessions(ref reader);
        }
        if (version == SnapshotFormatVersion)
        {
            var userCount = reader.ReadCount();
            for (var i = 0; i < userCount; i++)
            {
                var name = reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue);
                machine._users.Add(name, new PasswordDigest(reader.ReadInt32(), reader.ReadBytes(), reader.ReadBytes()));
            }
        }
        if (!reader.AtEnd)
        {
            throw new WireFormatException(CodecError.TrailingBytes);
        }
        machine.RebuildIndexes();
        // Rebuilding is not a command: nothing of it may be undone by the first Apply.
        machine._undo.Clear();
        return machine;
    }

    /// <summary>One node's fields and its child count; its children follow it, in the order of the names returned.</summary>
    private static string[] WriteNodeFields(WireWriter writer, string name, DataNode node, Dictionary<NodeAcl, int> aclIndex)
    {
        writer.WriteString(name);
        writer.WriteByte((byte)node.Kind);
        writer.WriteBytesShared(node.Data, SharedDataBytes);
        writer.WriteInt64(node.CreatedSlot);
        writer.WriteInt64(node.ModifiedSlot);
        writer.WriteInt64(node.ChildrenModifiedSlot);
        writer.WriteInt64(node.CreatedTime);
        writer.WriteInt64(node.ModifiedTime);
        writer.WriteInt64(node.EphemeralOwner);
        writer.WriteInt64(node.Ttl?.Ms ?? 0);
        if (node.Ttl is { } ttl)
        {
            writer.WriteInt64(ttl.Since);
        }
        writer.WriteInt32(node.Version);
        writer.WriteInt32(node.ChildVersion);
        writer.WriteInt32(aclIndex[node.Acl]);
        writer.WriteInt32(node.AclVersion);
        var names = node.SortedChildNames();
        writer.WriteInt32(names.Length);
        return names;
    }

    private static DataNode ReadNode(ref WireReader reader, byte version, NodeAcl[]? acls, out string name)
    {
        name = reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue);
        var kind = (NodeKind)reader.ReadByte();
        var data = reader.ReadBytes();
        var createdSlot = reader.ReadInt64();
        var modifiedSlot = reader.ReadInt64();
        var childrenModifiedSlot = reader.ReadInt64();
        var createdTime = reader.ReadInt64();
        var modifiedTime = reader.ReadInt64();
        var owner = reader.ReadInt64();
        var ttlMs = reader.ReadInt64();
        var ttl = NodeKinds.HasTtl(kind)
            ? new NodeTtl(ttlMs, version != UntermedSnapshotFormatVersion ? reader.ReadInt64() : modifiedTime)
            : null;
        var node = new DataNode(kind, data, createdSlot, createdTime, owner, ttl)
        {
            ModifiedSlot = modifiedSlot,
            ChildrenModifiedSlot = childrenModifiedSlot,
            ModifiedTime = modifiedTime,
            Version = reader.ReadInt32(),
            ChildVersion = reader.ReadInt32(),
        };
        if (acls is not null)
        {
            var index = reader.ReadInt32();
            node.Acl = (uint)index < (uint)acls.Length ? acls[index] : throw new WireFormatException(CodecError.InvalidValue);
            node.AclVersion = reader.ReadInt32();
        }
        var childCount = reader.ReadCount();
        if (childCount > 0)
        {
            var children = node.ChildrenForWrite();
            children.EnsureCapacity(childCount);
            for (var i = 0; i < childCount; i++)
            {
                var child = ReadNode(ref reader, version, acls, out var childName);
                if (!children.TryAdd(childName, child))
                {
                    throw new WireFormatException(CodecError.InvalidValue);
                }
            }
        }
        return node;
    }

    private static void WriteBallot(WireWriter writer, Ballot ballot)
    {
        writer.WriteInt64(ballot.Round);
        writer.WriteInt32(ballot.ReplicaId);
    }

    private static Ballot ReadBallot(ref WireReader reader) => new(reader.ReadInt64(), reader.ReadInt32());

    private static LockMode ReadMode(ref WireReader reader) => reader.ReadByte() switch
    {
        0 => LockMode.Exclusive,
        1 => LockMode.Shared,
        2 => LockMode.Upgradeable,
        _ => throw new WireFormatException(CodecError.InvalidValue),
    };

    /// <summary>Derives what snapshots leave out: per-session indexes and the timer queue.</summary>
    private void RebuildIndexes()
    {
        IndexNode("/", _root);
        foreach (var (path, state) in _locks)
        {
            foreach (var holder in state.Holders)
            {
                if (_sessions.TryGetValue(holder.SessionId, out var session))
                {
                    session.Locks.Add(path);
                }
                if (holder.LeaseTtlMs is not null)
                {
                    AddTimer(LeaseDue(holder), TimerKind.LeaseLapse, path);
                }
            }
            foreach (var waiter in state.Waiters)
            {
                _sessions[waiter.SessionId].Locks.Add(path);
            }
            if (state.DelayedUntil is { } until)
            {
                AddTimer(DelayDue(until), TimerKind.LockDelayEnd, path);
            }
        }
    }

    private void IndexNode(string path, DataNode node)
    {
        if (node.IsEphemeral)
        {
            _sessions[node.EphemeralOwner].Ephemerals.Add(path);
        }
        if (node.Ttl is { } ttl && node.ChildCount == 0)
        {
            AddTimer(TtlDue(ttl), TimerKind.NodeTtl, path);
        }
        if (node.Children is { } children)
        {
            foreach (var (name, child) in children)
            {
                IndexNode(PathRules.Join(path, name), child);
            }
        }
    }
}
