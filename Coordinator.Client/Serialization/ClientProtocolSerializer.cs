using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Coordinator.Core.Protocol;

namespace Coordinator.Client.Serialization;

/// <summary>
/// The binary format of the client protocol: a short stable manifest per message, a protocol version byte first,
/// and transactions and results carried as the same bytes the replicated log stores. Unknown manifests, other
/// versions and malformed bytes raise <see cref="SerializationException"/>; Akka.Remote then drops that one message.
/// </summary>
internal sealed class ClientProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 7302;

    public override string Manifest(object o) => o switch
    {
        WriteRequest => "W",
        WriteResponse => "WR",
        ReadRequest => "R",
        ReadResponse => "RR",
        AttachRequest => "A",
        AttachResponse => "AR",
        ResumeStarted => "RS",
        AddWatchRequest => "AW",
        RemoveWatchRequest => "RW",
        WatchAck => "WA",
        Heartbeat => "H",
        HeartbeatAck => "HA",
        SessionsHeartbeat => "SH",
        SessionsHeartbeatAck => "SHA",
        SessionsHeartbeatRefused => "SHX",
        WatchNotification => "N",
        LockGrantedNotification => "LG",
        LockLostNotification => "LL",
        SessionEndedNotification => "SE",
        RequestRejected => "X",
        StatusQuery => "SQ",
        ServerStatus => "SS",
        BackupChunkRequest => "BQ",
        BackupChunkResponse => "BC",
        _ => throw new ArgumentException($"{nameof(ClientProtocolSerializer)} cannot serialize {o.GetType()}."),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter();
        w.WriteByte(ClientMessage.ProtocolVersion);
        switch (obj)
        {
            case WriteRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.SessionId);
                w.WriteInt64(m.Sequence);
                w.WriteBytes(m.Transaction);
                break;
            case WriteResponse m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.Slot);
                w.WriteBytes(m.Result);
                break;
            case ReadRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.SessionId);
                w.WriteInt64(m.LastSeenSlot);
                w.WriteByte((byte)m.Kind);
                w.WriteString(m.Path);
                w.WriteBool(m.Watch);
                w.WriteBool(m.Linearizable);
                break;
            case ReadResponse m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.Slot);
                w.WriteByte((byte)m.Code);
                ResultCodec.WriteStat(w, m.Stat);
                w.WriteBytes(m.Data);
                w.WriteInt32(m.Children.Count);
                foreach (var child in m.Children)
                {
                    w.WriteString(child);
                }
                break;
            case AttachRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.SessionId);
                w.WriteInt64(m.Secret);
                w.WriteInt64(m.LastSeenSlot);
                w.WriteInt32(m.Watches.Count);
                foreach (var resumed in m.Watches)
                {
                    WriteWatch(w, resumed.Watch);
                    w.WriteInt64(resumed.SeenThrough.Slot);
                    w.WriteInt32(resumed.SeenThrough.Index);
                    w.WriteBool(resumed.NodeExisted);
                }
                w.WriteInt32(m.AwaitedLocks.Count);
                foreach (var path in m.AwaitedLocks)
                {
                    w.WriteString(path);
                }
                break;
            case AttachResponse m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.Slot);
                w.WriteInt32(m.TimeoutMs);
                break;
            case ResumeStarted m:
                w.WriteInt64(m.RequestId);
                break;
            case AddWatchRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.SessionId);
                WriteWatch(w, m.Watch);
                w.WriteBool(m.After.HasValue);
                if (m.After is { } after)
                {
                    w.WriteInt64(after.Slot);
                    w.WriteInt32(after.Index);
                }
                break;
            case RemoveWatchRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.SessionId);
                WriteWatch(w, m.Watch);
                break;
            case WatchAck m:
                w.WriteInt64(m.RequestId);
                w.WriteInt64(m.Slot);
                w.WriteInt32(m.Index);
                w.WriteBool(m.Compacted);
                break;
            case Heartbeat m:
                w.WriteInt64(m.SessionId);
                break;
            case HeartbeatAck m:
                w.WriteInt64(m.SessionId);
                w.WriteInt64(m.Slot);
                break;
            case SessionsHeartbeat m:
                w.WriteInt64(m.HeartbeatId);
                WriteSessions(w, m.SessionIds);
                break;
            case SessionsHeartbeatAck m:
                w.WriteInt64(m.HeartbeatId);
                w.WriteInt64(m.Slot);
                WriteSessions(w, m.SessionIds);
                break;
            case SessionsHeartbeatRefused m:
                w.WriteInt64(m.HeartbeatId);
                w.WriteByte((byte)m.Reason);
                WriteSessions(w, m.SessionIds);
                break;
            case WatchNotification m:
                w.WriteInt64(m.SessionId);
                w.WriteByte((byte)m.Type);
                w.WriteString(m.Path);
                w.WriteInt64(m.Slot);
                w.WriteInt32(m.Index);
                break;
            case LockGrantedNotification m:
                w.WriteInt64(m.SessionId);
                w.WriteString(m.Path);
                w.WriteInt64(m.Token);
                w.WriteInt64(m.Slot);
                break;
            case LockLostNotification m:
                w.WriteInt64(m.SessionId);
                w.WriteString(m.Path);
                w.WriteInt64(m.Token);
                w.WriteInt64(m.Slot);
                break;
            case SessionEndedNotification m:
                w.WriteInt64(m.SessionId);
                w.WriteInt64(m.Slot);
                break;
            case RequestRejected m:
                w.WriteInt64(m.RequestId);
                w.WriteByte((byte)m.Reason);
                w.WriteString(m.Message);
                break;
            case StatusQuery m:
                w.WriteInt64(m.RequestId);
                break;
            case ServerStatus m:
                w.WriteInt64(m.RequestId);
                w.WriteInt32(m.ReplicaId);
                w.WriteString(m.Role);
                w.WriteString(m.Ballot);
                w.WriteInt32(m.LeaderId);
                w.WriteInt64(m.AppliedBelow);
                w.WriteInt64(m.KnownChosenBelow);
                w.WriteInt32(m.AttachedSessions);
                w.WriteInt32(m.Watches);
                w.WriteInt32(m.Members.Count);
                foreach (var member in m.Members)
                {
                    w.WriteString(member);
                }
                w.WriteString(m.ClusterId);
                break;
            case BackupChunkRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteOptionalInt64(m.AppliedBelow);
                w.WriteInt64(m.Offset);
                break;
            case BackupChunkResponse m:
                w.WriteInt64(m.RequestId);
                w.WriteString(m.ClusterId);
                w.WriteInt64(m.AppliedBelow);
                w.WriteInt64(m.LastTimestamp);
                w.WriteInt64(m.TotalBytes);
                w.WriteBytes(m.Sha256);
                w.WriteInt64(m.Offset);
                w.WriteBytes(m.Data);
                break;
            default:
                throw new ArgumentException($"{nameof(ClientProtocolSerializer)} cannot serialize {obj.GetType()}.");
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            var r = new WireReader(bytes);
            var version = r.ReadByte();
            if (version != ClientMessage.ProtocolVersion)
            {
                throw new SerializationException($"Client protocol version {version} is not supported (this build speaks {ClientMessage.ProtocolVersion}).");
            }
            object message = manifest switch
            {
                "W" => new WriteRequest(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadBytes()),
                "WR" => new WriteResponse(r.ReadInt64(), r.ReadInt64(), r.ReadBytes()),
                "R" => new ReadRequest(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), ReadEnum<ReadKind>(ref r), RequiredString(ref r), r.ReadBool(), r.ReadBool()),
                "RR" => ReadReadResponse(ref r),
                "A" => ReadAttach(ref r),
                "AR" => new AttachResponse(r.ReadInt64(), r.ReadInt64(), r.ReadInt32()),
                "RS" => new ResumeStarted(r.ReadInt64()),
                "AW" => new AddWatchRequest(r.ReadInt64(), r.ReadInt64(), ReadWatch(ref r), r.ReadBool() ? new EventPosition(r.ReadInt64(), r.ReadInt32()) : null),
                "RW" => new RemoveWatchRequest(r.ReadInt64(), r.ReadInt64(), ReadWatch(ref r)),
                "WA" => new WatchAck(r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), r.ReadBool()),
                "H" => new Heartbeat(r.ReadInt64()),
                "HA" => new HeartbeatAck(r.ReadInt64(), r.ReadInt64()),
                "SH" => new SessionsHeartbeat(r.ReadInt64(), ReadSessions(ref r)),
                "SHA" => new SessionsHeartbeatAck(r.ReadInt64(), r.ReadInt64(), ReadSessions(ref r)),
                "SHX" => new SessionsHeartbeatRefused(r.ReadInt64(), ReadEnum<RejectReason>(ref r), ReadSessions(ref r)),
                "N" => new WatchNotification(r.ReadInt64(), ReadEnum<WatchEventType>(ref r), RequiredString(ref r), r.ReadInt64(), r.ReadInt32()),
                "LG" => new LockGrantedNotification(r.ReadInt64(), RequiredString(ref r), r.ReadInt64(), r.ReadInt64()),
                "LL" => new LockLostNotification(r.ReadInt64(), RequiredString(ref r), r.ReadInt64(), r.ReadInt64()),
                "SE" => new SessionEndedNotification(r.ReadInt64(), r.ReadInt64()),
                "X" => new RequestRejected(r.ReadInt64(), ReadEnum<RejectReason>(ref r), RequiredString(ref r)),
                "SQ" => new StatusQuery(r.ReadInt64()),
                "SS" => ReadServerStatus(ref r),
                "BQ" => new BackupChunkRequest(r.ReadInt64(), r.ReadOptionalInt64(), r.ReadInt64()),
                "BC" => new BackupChunkResponse(
                    r.ReadInt64(), RequiredString(ref r), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadBytes(), r.ReadInt64(), r.ReadBytes()),
                _ => throw new SerializationException($"Unknown client protocol manifest '{manifest}'."),
            };
            if (!r.AtEnd)
            {
                throw new SerializationException($"Malformed client message '{manifest}': trailing bytes.");
            }
            return message;
        }
        catch (WireFormatException malformed)
        {
            throw new SerializationException($"Malformed client message '{manifest}': {malformed.Error}.", malformed);
        }
    }

    private static void WriteWatch(WireWriter w, WatchRegistration watch)
    {
        w.WriteString(watch.Path);
        w.WriteByte((byte)watch.Kind);
    }

    private static void WriteSessions(WireWriter w, IReadOnlyList<long> sessions)
    {
        w.WriteInt32(sessions.Count);
        foreach (var session in sessions)
        {
            w.WriteInt64(session);
        }
    }

    private static long[] ReadSessions(ref WireReader r)
    {
        var sessions = new long[r.ReadCount()];
        for (var i = 0; i < sessions.Length; i++)
        {
            sessions[i] = r.ReadInt64();
        }
        return sessions;
    }

    private static WatchRegistration ReadWatch(ref WireReader r) => new(RequiredString(ref r), ReadEnum<WatchKind>(ref r));

    private static ReadResponse ReadReadResponse(ref WireReader r)
    {
        var requestId = r.ReadInt64();
        var slot = r.ReadInt64();
        var code = ReadEnum<ErrorCode>(ref r);
        var stat = ResultCodec.ReadStat(ref r);
        var data = r.ReadBytes();
        var children = new string[r.ReadCount()];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = RequiredString(ref r);
        }
        return new ReadResponse(requestId, slot, code, stat, data, children);
    }

    private static AttachRequest ReadAttach(ref WireReader r)
    {
        var requestId = r.ReadInt64();
        var sessionId = r.ReadInt64();
        var secret = r.ReadInt64();
        var lastSeen = r.ReadInt64();
        var watches = new ResumedWatch[r.ReadCount()];
        for (var i = 0; i < watches.Length; i++)
        {
            watches[i] = new ResumedWatch(ReadWatch(ref r), new EventPosition(r.ReadInt64(), r.ReadInt32()), r.ReadBool());
        }
        var awaitedLocks = new string[r.ReadCount()];
        for (var i = 0; i < awaitedLocks.Length; i++)
        {
            awaitedLocks[i] = RequiredString(ref r);
        }
        return new AttachRequest(requestId, sessionId, secret, lastSeen, watches, awaitedLocks);
    }

    private static ServerStatus ReadServerStatus(ref WireReader r)
    {
        var requestId = r.ReadInt64();
        var replicaId = r.ReadInt32();
        var role = RequiredString(ref r);
        var ballot = RequiredString(ref r);
        var leader = r.ReadInt32();
        var applied = r.ReadInt64();
        var known = r.ReadInt64();
        var sessions = r.ReadInt32();
        var watches = r.ReadInt32();
        var members = new string[r.ReadCount()];
        for (var i = 0; i < members.Length; i++)
        {
            members[i] = RequiredString(ref r);
        }
        return new ServerStatus(requestId, replicaId, role, ballot, leader, applied, known, sessions, watches, members, RequiredString(ref r));
    }

    private static string RequiredString(ref WireReader r) => r.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue);

    private static T ReadEnum<T>(ref WireReader r) where T : struct, Enum
    {
        var value = (T)Enum.ToObject(typeof(T), r.ReadByte());
        return Enum.IsDefined(value) ? value : throw new WireFormatException(CodecError.InvalidValue);
    }
}
