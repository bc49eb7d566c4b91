using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.Consensus;
using Coordinator.Service.Runtime;

namespace Coordinator.Service.Serialization;

/// <summary>
/// Compact binary format for everything a replica sends to a peer or writes to its journal: Paxos messages,
/// acceptor events, snapshots and the replica protocol. Each type has a short, stable manifest, so renaming a CLR
/// type never breaks recovery; every payload starts with a format version byte.
/// </summary>
internal sealed class ReplicaSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const byte FormatVersion = 1;

    public override int Identifier => 7301;

    public override string Manifest(object o) => o switch
    {
        Prepare => "PP",
        Promise => "PR",
        Accept => "AC",
        Accepted => "AD",
        Nack => "NK",
        Chosen => "CH",
        LeaderCheck => "LC",
        LeaderCheckAck => "LA",
        PreVote => "PV",
        PreVoteGranted => "PG",
        CatchUpRequest => "CQ",
        CatchUp => "CU",
        SnapshotChunk => "SC",
        SnapshotChunkRequest => "SR",
        BallotPromised => "EP",
        ValueAccepted => "EV",
        LogTruncated => "ET",
        ReplicaSnapshot => "SN",
        ProposeRequest => "RQ",
        ProposeResponse => "RS",
        ReadIndexRequest => "RI",
        ReadIndexResponse => "RX",
        StatusRequest => "SQ",
        ReplicaStatus => "SS",
        SessionsAlive => "SA",
        SessionsAliveAck => "SK",
        _ => throw new ArgumentException($"{nameof(ReplicaSerializer)} cannot serialize {o.GetType()}."),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter();
        w.WriteByte(FormatVersion);
        switch (obj)
        {
            case Prepare m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.FromSlot);
                break;
            case Promise m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Floor);
                w.WriteInt64(m.FromSlot);
                w.WriteByte(m.IsLast ? (byte)1 : (byte)0);
                w.WriteInt32(m.Votes.Length);
                foreach (var vote in m.Votes)
                {
                    WriteVote(w, vote);
                }
                break;
            case Accept m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Slot);
                WriteBatch(w, m.Value);
                w.WriteInt64(m.ChosenBelow);
                break;
            case Accepted m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Slot);
                break;
            case Nack m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Promised);
                break;
            case Chosen m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Commit.Ballot);
                w.WriteInt64(m.Commit.ChosenBelow);
                break;
            case LeaderCheck m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Round);
                break;
            case LeaderCheckAck m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Round);
                break;
            case PreVote m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Round);
                w.WriteInt64(m.AppliedBelow);
                break;
            case PreVoteGranted m:
                w.WriteInt32(m.From);
                WriteBallot(w, m.Ballot);
                w.WriteInt64(m.Round);
                break;
            case CatchUpRequest m:
                w.WriteInt32(m.From);
                w.WriteInt64(m.FromSlot);
                break;
            case CatchUp m:
                w.WriteInt32(m.From);
                w.WriteInt32(m.Entries.Length);
                foreach (var entry in m.Entries)
                {
                    w.WriteInt64(entry.Slot);
                    WriteBatch(w, entry.Value);
                }
                break;
            case SnapshotChunk m:
                w.WriteInt32(m.From);
                w.WriteInt64(m.AppliedBelow);
                w.WriteInt64(m.LastTimestamp);
                w.WriteInt64(m.TotalBytes);
                w.WriteInt64(m.Checksum);
                w.WriteInt64(m.Offset);
                w.WriteBytes(m.Data);
                break;
            case SnapshotChunkRequest m:
                w.WriteInt32(m.From);
                w.WriteInt64(m.AppliedBelow);
                w.WriteInt64(m.Offset);
                break;
            case AcceptorEvent e:
                WriteAcceptorEvent(w, e);
                break;
            case ReplicaSnapshot s:
                w.WriteInt32(s.Acceptor.Count);
                foreach (var e in s.Acceptor)
                {
                    w.WriteByte(e switch { BallotPromised => 1, ValueAccepted => 2, _ => 3 });
                    WriteAcceptorEvent(w, e);
                }
                w.WriteInt64(s.State.AppliedBelow);
                w.WriteInt64(s.State.LastTimestamp);
                w.WriteBytes(s.State.State);
                break;
            case ProposeRequest m:
                WriteCommand(w, m.Command);
                w.WriteBool(m.Forwarded);
                break;
            case ProposeResponse m:
                w.WriteInt64(m.SessionId);
                w.WriteInt64(m.Sequence);
                w.WriteByte((byte)m.Status);
                w.WriteInt32(m.LeaderHint);
                w.WriteInt64(m.Slot);
                w.WriteBytes(m.Result);
                break;
            case ReadIndexRequest m:
                w.WriteInt64(m.RequestId);
                w.WriteBool(m.Forwarded);
                break;
            case ReadIndexResponse m:
                w.WriteInt64(m.RequestId);
                w.WriteOptionalInt64(m.Index);
                w.WriteInt32(m.LeaderHint);
                break;
            case StatusRequest:
                break;
            case SessionsAliveAck m:
                w.WriteInt64(m.ReportId);
                break;
            case SessionsAlive m:
                w.WriteInt64(m.ReportId);
                w.WriteInt32(m.SessionIds.Count);
                foreach (var id in m.SessionIds)
                {
                    w.WriteInt64(id);
                }
                break;
            case ReplicaStatus m:
                w.WriteInt32(m.ReplicaId);
                w.WriteByte((byte)m.Role);
                WriteBallot(w, m.Ballot);
                WriteBallot(w, m.Promised);
                w.WriteInt32(m.LeaderHint);
                w.WriteInt64(m.AppliedBelow);
                w.WriteInt64(m.KnownChosenBelow);
                w.WriteInt32(m.PendingCommands);
                w.WriteInt64(m.SnapshotBelow);
                w.WriteInt32(m.SnapshotsInstalled);
                w.WriteInt64(m.OversizeMessagesRefused);
                break;
            default:
                throw new ArgumentException($"{nameof(ReplicaSerializer)} cannot serialize {obj.GetType()}.");
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return Read(bytes, manifest);
        }
        catch (WireFormatException malformed)
        {
            throw new SerializationException($"Malformed replica message '{manifest}': {malformed.Error}.", malformed);
        }
    }

    private static object Read(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        var version = r.ReadByte();
        if (version != FormatVersion)
        {
            throw new SerializationException($"Unsupported replica format version {version} (this build reads {FormatVersion}).");
        }
        object result = manifest switch
        {
            "PP" => new Prepare(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64()),
            "PR" => ReadPromise(ref r),
            "AC" => new Accept(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64(), ReadBatch(ref r), r.ReadInt64()),
            "AD" => new Accepted(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64()),
            "NK" => new Nack(r.ReadInt32(), ReadBallot(ref r)),
            "CH" => new Chosen(r.ReadInt32(), new CommitPoint(ReadBallot(ref r), r.ReadInt64())),
            "LC" => new LeaderCheck(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64()),
            "LA" => new LeaderCheckAck(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64()),
            "PV" => new PreVote(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64(), r.ReadInt64()),
            "PG" => new PreVoteGranted(r.ReadInt32(), ReadBallot(ref r), r.ReadInt64()),
            "CQ" => new CatchUpRequest(r.ReadInt32(), r.ReadInt64()),
            "CU" => ReadCatchUp(ref r),
            "SC" => new SnapshotChunk(r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadBytes()),
            "SR" => new SnapshotChunkRequest(r.ReadInt32(), r.ReadInt64(), r.ReadInt64()),
            "EP" or "EV" or "ET" => ReadAcceptorEvent(ref r, manifest),
            "SN" => ReadSnapshot(ref r),
            "RQ" => new ProposeRequest(ReadCommand(ref r), r.ReadBool()),
            "RS" => new ProposeResponse(r.ReadInt64(), r.ReadInt64(), ReadEnum<ProposeStatus>(ref r), r.ReadInt32(), r.ReadInt64(), r.ReadBytes()),
            "RI" => new ReadIndexRequest(r.ReadInt64(), r.ReadBool()),
            "RX" => new ReadIndexResponse(r.ReadInt64(), r.ReadOptionalInt64(), r.ReadInt32()),
            "SQ" => StatusRequest.Instance,
            "SA" => ReadSessionsAlive(ref r),
            "SK" => new SessionsAliveAck(r.ReadInt64()),
            "SS" => new ReplicaStatus(r.ReadInt32(), ReadEnum<ProposerRole>(ref r), ReadBallot(ref r), ReadBallot(ref r), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), r.ReadInt64(), r.ReadInt32(), r.ReadInt64()),
            _ => throw new SerializationException($"Unknown replica message manifest '{manifest}'."),
        };
        if (!r.AtEnd)
        {
            throw new SerializationException($"Malformed replica message '{manifest}': trailing bytes.");
        }
        return result;
    }

    private static void WriteBallot(WireWriter w, Ballot ballot)
    {
        w.WriteInt64(ballot.Round);
        w.WriteInt32(ballot.ReplicaId);
    }

    private static Ballot ReadBallot(ref WireReader r) => new(r.ReadInt64(), r.ReadInt32());

    private static void WriteCommand(WireWriter w, Command command)
    {
        w.WriteInt64(command.SessionId);
        w.WriteInt64(command.Sequence);
        w.WriteBytes(command.Payload);
    }

    private static Command ReadCommand(ref WireReader r) => new(r.ReadInt64(), r.ReadInt64(), r.ReadBytes());

    /// <summary>
    /// Opens a batch that names its term and leader clock. Batches written before carry only their stamp where this
    /// stands, and no stamp was ever negative, so a journal of either kind reads back.
    /// </summary>
    private const long TermedBatchMarker = long.MinValue;

    private static void WriteBatch(WireWriter w, Batch batch)
    {
        w.WriteInt64(TermedBatchMarker);
        w.WriteInt64(batch.Timestamp);
        WriteBallot(w, batch.Term);
        w.WriteInt64(batch.Clock);
        w.WriteInt32(batch.Commands.Length);
        foreach (var command in batch.Commands)
        {
            WriteCommand(w, command);
        }
    }

    private static Batch ReadBatch(ref WireReader r)
    {
        var first = r.ReadInt64();
        var (timestamp, term, clock) = first == TermedBatchMarker
            ? (r.ReadInt64(), ReadBallot(ref r), r.ReadInt64())
            : (first, Ballot.Zero, first);
        var count = r.ReadCount();
        var commands = ImmutableArray.CreateBuilder<Command>(count);
        for (var i = 0; i < count; i++)
        {
            commands.Add(ReadCommand(ref r));
        }
        return new Batch(timestamp, term, clock, commands.MoveToImmutable());
    }

    private static void WriteVote(WireWriter w, Vote vote)
    {
        w.WriteInt64(vote.Slot);
        WriteBallot(w, vote.Ballot);
        WriteBatch(w, vote.Value);
    }

    private static Vote ReadVote(ref WireReader r) => new(r.ReadInt64(), ReadBallot(ref r), ReadBatch(ref r));

    private static Promise ReadPromise(ref WireReader r)
    {
        var from = r.ReadInt32();
        var ballot = ReadBallot(ref r);
        var floor = r.ReadInt64();
        var fromSlot = r.ReadInt64();
        var isLast = r.ReadByte() != 0;
        var count = r.ReadCount();
        var votes = ImmutableArray.CreateBuilder<Vote>(count);
        for (var i = 0; i < count; i++)
        {
            votes.Add(ReadVote(ref r));
        }
        return new Promise(from, ballot, floor, fromSlot, votes.MoveToImmutable(), isLast);
    }

    private static CatchUp ReadCatchUp(ref WireReader r)
    {
        var from = r.ReadInt32();
        var count = r.ReadCount();
        var entries = ImmutableArray.CreateBuilder<ChosenEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(new ChosenEntry(r.ReadInt64(), ReadBatch(ref r)));
        }
        return new CatchUp(from, entries.MoveToImmutable());
    }

    private static void WriteAcceptorEvent(WireWriter w, AcceptorEvent e)
    {
        switch (e)
        {
            case BallotPromised promised:
                WriteBallot(w, promised.Ballot);
                break;
            case ValueAccepted accepted:
                WriteVote(w, accepted.Vote);
                break;
            case LogTruncated truncated:
                w.WriteInt64(truncated.Below);
                break;
        }
    }

    private static AcceptorEvent ReadAcceptorEvent(ref WireReader r, string manifest) => manifest switch
    {
        "EP" => new BallotPromised(ReadBallot(ref r)),
        "EV" => new ValueAccepted(ReadVote(ref r)),
        _ => new LogTruncated(r.ReadInt64()),
    };

    private static ReplicaSnapshot ReadSnapshot(ref WireReader r)
    {
        var count = r.ReadCount();
        var events = new List<AcceptorEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = r.ReadByte() switch
            {
                1 => "EP",
                2 => "EV",
                3 => "ET",
                var other => throw new SerializationException($"Unknown acceptor event kind {other} in a snapshot."),
            };
            events.Add(ReadAcceptorEvent(ref r, kind));
        }
        return new ReplicaSnapshot(events, new SnapshotDelivered(r.ReadInt64(), r.ReadInt64(), r.ReadBytes()));
    }

    private static SessionsAlive ReadSessionsAlive(ref WireReader r)
    {
        var reportId = r.ReadInt64();
        var ids = new long[r.ReadCount()];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = r.ReadInt64();
        }
        return new SessionsAlive(reportId, ids);
    }

    private static T ReadEnum<T>(ref WireReader r) where T : struct, Enum
    {
        var value = r.ReadByte();
        var result = (T)Enum.ToObject(typeof(T), value);
        return Enum.IsDefined(result) ? result : throw new SerializationException($"Invalid {typeof(T).Name} value {value}.");
    }
}
