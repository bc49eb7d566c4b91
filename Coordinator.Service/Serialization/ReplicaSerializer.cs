using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Coordinator.Service.Consensus;
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
        CatchUpRequest => "CQ",
        CatchUp => "CU",
        InstallSnapshot => "IS",
        BallotPromised => "EP",
        ValueAccepted => "EV",
        LogTruncated => "ET",
        ReplicaSnapshot => "SN",
        ProposeRequest => "RQ",
        ProposeResponse => "RS",
        StatusRequest => "SQ",
        ReplicaStatus => "SS",
        _ => throw new ArgumentException($"{nameof(ReplicaSerializer)} cannot serialize {o.GetType()}."),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter();
        w.Byte(FormatVersion);
        switch (obj)
        {
            case Prepare m:
                w.Int(m.From);
                WriteBallot(w, m.Ballot);
                w.Long(m.FromSlot);
                break;
            case Promise m:
                w.Int(m.From);
                WriteBallot(w, m.Ballot);
                w.Long(m.Floor);
                w.Int(m.Votes.Length);
                foreach (var vote in m.Votes)
                {
                    WriteVote(w, vote);
                }
                break;
            case Accept m:
                w.Int(m.From);
                WriteBallot(w, m.Ballot);
                w.Long(m.Slot);
                WriteBatch(w, m.Value);
                w.Long(m.ChosenBelow);
                break;
            case Accepted m:
                w.Int(m.From);
                WriteBallot(w, m.Ballot);
                w.Long(m.Slot);
                break;
            case Nack m:
                w.Int(m.From);
                WriteBallot(w, m.Promised);
                break;
            case Chosen m:
                w.Int(m.From);
                WriteBallot(w, m.Commit.Ballot);
                w.Long(m.Commit.ChosenBelow);
                break;
            case CatchUpRequest m:
                w.Int(m.From);
                w.Long(m.FromSlot);
                break;
            case CatchUp m:
                w.Int(m.From);
                w.Int(m.Entries.Length);
                foreach (var entry in m.Entries)
                {
                    w.Long(entry.Slot);
                    WriteBatch(w, entry.Value);
                }
                break;
            case InstallSnapshot m:
                w.Int(m.From);
                w.Long(m.AppliedBelow);
                w.Long(m.LastTimestamp);
                w.Bytes(m.State);
                break;
            case AcceptorEvent e:
                WriteAcceptorEvent(w, e);
                break;
            case ReplicaSnapshot s:
                w.Int(s.Acceptor.Count);
                foreach (var e in s.Acceptor)
                {
                    w.Byte(e switch { BallotPromised => 1, ValueAccepted => 2, _ => 3 });
                    WriteAcceptorEvent(w, e);
                }
                w.Long(s.State.AppliedBelow);
                w.Long(s.State.LastTimestamp);
                w.Bytes(s.State.State);
                break;
            case ProposeRequest m:
                WriteCommand(w, m.Command);
                w.Bool(m.Forwarded);
                break;
            case ProposeResponse m:
                w.Long(m.SessionId);
                w.Long(m.Sequence);
                w.Byte((byte)m.Status);
                w.Int(m.LeaderHint);
                w.Long(m.Slot);
                w.Bytes(m.Result);
                break;
            case StatusRequest:
                break;
            case ReplicaStatus m:
                w.Int(m.ReplicaId);
                w.Byte((byte)m.Role);
                WriteBallot(w, m.Ballot);
                WriteBallot(w, m.Promised);
                w.Int(m.LeaderHint);
                w.Long(m.AppliedBelow);
                w.Long(m.KnownChosenBelow);
                w.Int(m.PendingCommands);
                w.Long(m.SnapshotBelow);
                w.Int(m.SnapshotsInstalled);
                break;
            default:
                throw new ArgumentException($"{nameof(ReplicaSerializer)} cannot serialize {obj.GetType()}.");
        }
        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        var version = r.Byte();
        if (version != FormatVersion)
        {
            throw new SerializationException($"Unsupported replica format version {version} (this build reads {FormatVersion}).");
        }
        object result = manifest switch
        {
            "PP" => new Prepare(r.Int(), ReadBallot(ref r), r.Long()),
            "PR" => ReadPromise(ref r),
            "AC" => new Accept(r.Int(), ReadBallot(ref r), r.Long(), ReadBatch(ref r), r.Long()),
            "AD" => new Accepted(r.Int(), ReadBallot(ref r), r.Long()),
            "NK" => new Nack(r.Int(), ReadBallot(ref r)),
            "CH" => new Chosen(r.Int(), new CommitPoint(ReadBallot(ref r), r.Long())),
            "CQ" => new CatchUpRequest(r.Int(), r.Long()),
            "CU" => ReadCatchUp(ref r),
            "IS" => new InstallSnapshot(r.Int(), r.Long(), r.Long(), r.Bytes()),
            "EP" or "EV" or "ET" => ReadAcceptorEvent(ref r, manifest),
            "SN" => ReadSnapshot(ref r),
            "RQ" => new ProposeRequest(ReadCommand(ref r), r.Bool()),
            "RS" => new ProposeResponse(r.Long(), r.Long(), ReadEnum<ProposeStatus>(ref r), r.Int(), r.Long(), r.Bytes()),
            "SQ" => StatusRequest.Instance,
            "SS" => new ReplicaStatus(r.Int(), ReadEnum<ProposerRole>(ref r), ReadBallot(ref r), ReadBallot(ref r), r.Int(), r.Long(), r.Long(), r.Int(), r.Long(), r.Int()),
            _ => throw new SerializationException($"Unknown replica message manifest '{manifest}'."),
        };
        r.ExpectEnd();
        return result;
    }

    private static void WriteBallot(WireWriter w, Ballot ballot)
    {
        w.Long(ballot.Round);
        w.Int(ballot.ReplicaId);
    }

    private static Ballot ReadBallot(ref WireReader r) => new(r.Long(), r.Int());

    private static void WriteCommand(WireWriter w, Command command)
    {
        w.Long(command.SessionId);
        w.Long(command.Sequence);
        w.Bytes(command.Payload);
    }

    private static Command ReadCommand(ref WireReader r) => new(r.Long(), r.Long(), r.Bytes());

    private static void WriteBatch(WireWriter w, Batch batch)
    {
        w.Long(batch.Timestamp);
        w.Int(batch.Commands.Length);
        foreach (var command in batch.Commands)
        {
            WriteCommand(w, command);
        }
    }

    private static Batch ReadBatch(ref WireReader r)
    {
        var timestamp = r.Long();
        var count = r.Count(20);
        var commands = ImmutableArray.CreateBuilder<Command>(count);
        for (var i = 0; i < count; i++)
        {
            commands.Add(ReadCommand(ref r));
        }
        return new Batch(timestamp, commands.MoveToImmutable());
    }

    private static void WriteVote(WireWriter w, Vote vote)
    {
        w.Long(vote.Slot);
        WriteBallot(w, vote.Ballot);
        WriteBatch(w, vote.Value);
    }

    private static Vote ReadVote(ref WireReader r) => new(r.Long(), ReadBallot(ref r), ReadBatch(ref r));

    private static Promise ReadPromise(ref WireReader r)
    {
        var from = r.Int();
        var ballot = ReadBallot(ref r);
        var floor = r.Long();
        var count = r.Count(32);
        var votes = ImmutableArray.CreateBuilder<Vote>(count);
        for (var i = 0; i < count; i++)
        {
            votes.Add(ReadVote(ref r));
        }
        return new Promise(from, ballot, floor, votes.MoveToImmutable());
    }

    private static CatchUp ReadCatchUp(ref WireReader r)
    {
        var from = r.Int();
        var count = r.Count(20);
        var entries = ImmutableArray.CreateBuilder<ChosenEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(new ChosenEntry(r.Long(), ReadBatch(ref r)));
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
                w.Long(truncated.Below);
                break;
        }
    }

    private static AcceptorEvent ReadAcceptorEvent(ref WireReader r, string manifest) => manifest switch
    {
        "EP" => new BallotPromised(ReadBallot(ref r)),
        "EV" => new ValueAccepted(ReadVote(ref r)),
        _ => new LogTruncated(r.Long()),
    };

    private static ReplicaSnapshot ReadSnapshot(ref WireReader r)
    {
        var count = r.Count(9);
        var events = new List<AcceptorEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = r.Byte() switch
            {
                1 => "EP",
                2 => "EV",
                3 => "ET",
                var other => throw new SerializationException($"Unknown acceptor event kind {other} in a snapshot."),
            };
            events.Add(ReadAcceptorEvent(ref r, kind));
        }
        return new ReplicaSnapshot(events, new SnapshotDelivered(r.Long(), r.Long(), r.Bytes()));
    }

    private static T ReadEnum<T>(ref WireReader r) where T : struct, Enum
    {
        var value = r.Byte();
        var result = (T)Enum.ToObject(typeof(T), value);
        return Enum.IsDefined(result) ? result : throw new SerializationException($"Invalid {typeof(T).Name} value {value}.");
    }
}
