using Coordinator.Client;

namespace Coordinator.Core.Protocol;

/// <summary>
/// Binary form of <see cref="OpResult"/>: snapshots carry the cached reply of each session's last command, and
/// tests compare results byte for byte. An error with a reason has a tag of its own, so every result without one
/// (all results written before reasons existed) keeps its bytes.
/// </summary>
internal static class ResultCodec
{
    private enum Tag : byte
    {
        Ok = 1,
        Error,
        Created,
        Stat,
        SessionCreated,
        LockAcquired,
        LockQueued,
        Multi,
        MultiError,
        ErrorWithReason,
        MultiErrorWithReason,
        AclSet,
    }

    public static byte[] Encode(OpResult result)
    {
        var writer = new WireWriter();
        Write(writer, result);
        return writer.ToArray();
    }

    /// <summary>Decodes a result as a client receives it; malformed bytes give a codec error, never an exception.</summary>
    public static DecodeResult<OpResult> Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new WireReader(bytes);
            var result = Read(ref reader);
            return reader.AtEnd ? DecodeResult<OpResult>.Ok(result) : DecodeResult<OpResult>.Fail(CodecError.TrailingBytes);
        }
        catch (WireFormatException malformed)
        {
            return DecodeResult<OpResult>.Fail(malformed.Error);
        }
    }

    /// <summary>
    /// The <see cref="OpResult.Code"/> of an encoded result, read from its first bytes without decoding the rest;
    /// null for bytes that are no result.
    /// </summary>
    public static ErrorCode? PeekCode(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [(byte)Tag.Error or (byte)Tag.MultiError, var code, ..] => (ErrorCode)code,
        [(byte)Tag.ErrorWithReason or (byte)Tag.MultiErrorWithReason, var code, ..] => (ErrorCode)code,
        [>= (byte)Tag.Ok and <= (byte)Tag.AclSet, ..] => ErrorCode.Ok,
        _ => null,
    };

    internal static void Write(WireWriter writer, OpResult result)
    {
        switch (result)
        {
            case OkResult:
                writer.WriteByte((byte)Tag.Ok);
                break;
            case ErrorResult { Reason: null } r:
                writer.WriteByte((byte)Tag.Error);
                writer.WriteByte((byte)r.Error);
                break;
            case ErrorResult r:
                writer.WriteByte((byte)Tag.ErrorWithReason);
                writer.WriteByte((byte)r.Error);
                writer.WriteString(r.Reason);
                break;
            case CreatedResult r:
                writer.WriteByte((byte)Tag.Created);
                writer.WriteString(r.Path);
                WriteStat(writer, r.Stat);
                break;
            case StatResult r:
                writer.WriteByte((byte)Tag.Stat);
                WriteStat(writer, r.Stat);
                break;
            case AclSetResult r:
                writer.WriteByte((byte)Tag.AclSet);
                writer.WriteInt32(r.AclVersion);
                WriteStat(writer, r.Stat);
                break;
            case SessionCreatedResult r:
                writer.WriteByte((byte)Tag.SessionCreated);
                writer.WriteInt64(r.SessionId);
                writer.WriteInt32(r.TimeoutMs);
                break;
            case LockAcquiredResult r:
                writer.WriteByte((byte)Tag.LockAcquired);
                writer.WriteInt64(r.Token);
                break;
            case LockQueuedResult r:
                writer.WriteByte((byte)Tag.LockQueued);
                writer.WriteInt32(r.Position);
                break;
            case MultiResult r:
                writer.WriteByte((byte)Tag.Multi);
                writer.WriteInt32(r.Results.Count);
                foreach (var inner in r.Results)
                {
                    Write(writer, inner);
                }
                break;
            case MultiErrorResult r:
                writer.WriteByte((byte)(r.Reason is null ? Tag.MultiError : Tag.MultiErrorWithReason));
                writer.WriteByte((byte)r.Error);
                writer.WriteInt32(r.FailedIndex);
                writer.WriteInt32(r.PerOp.Count);
                foreach (var code in r.PerOp)
                {
                    writer.WriteByte((byte)code);
                }
                if (r.Reason is not null)
                {
                    writer.WriteString(r.Reason);
                }
                break;
            default:
                throw new ArgumentException($"Unknown result {result.GetType().Name}", nameof(result));
        }
    }

    internal static OpResult Read(ref WireReader reader)
    {
        switch ((Tag)reader.ReadByte())
        {
            case Tag.Ok:
                return OkResult.Instance;
            case Tag.Error:
                return new ErrorResult((ErrorCode)reader.ReadByte());
            case Tag.ErrorWithReason:
                return new ErrorResult((ErrorCode)reader.ReadByte(), ReadReason(ref reader));
            case Tag.Created:
                return new CreatedResult(reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue), ReadStat(ref reader));
            case Tag.Stat:
                return new StatResult(ReadStat(ref reader));
            case Tag.AclSet:
                return new AclSetResult(reader.ReadInt32(), ReadStat(ref reader));
            case Tag.SessionCreated:
                return new SessionCreatedResult(reader.ReadInt64(), reader.ReadInt32());
            case Tag.LockAcquired:
                return new LockAcquiredResult(reader.ReadInt64());
            case Tag.LockQueued:
                return new LockQueuedResult(reader.ReadInt32());
            case Tag.Multi:
                var results = new OpResult[reader.ReadCount()];
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = Read(ref reader);
                }
                return new MultiResult(results);
            case var tag and (Tag.MultiError or Tag.MultiErrorWithReason):
                var error = (ErrorCode)reader.ReadByte();
                var failedIndex = reader.ReadInt32();
                var codes = new ErrorCode[reader.ReadCount()];
                for (var i = 0; i < codes.Length; i++)
                {
                    codes[i] = (ErrorCode)reader.ReadByte();
                }
                return new MultiErrorResult(error, failedIndex, codes, tag == Tag.MultiErrorWithReason ? ReadReason(ref reader) : null);
            default:
                throw new WireFormatException(CodecError.UnknownTag);
        }
    }

    private static string ReadReason(ref WireReader reader) => reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue);

    internal static void WriteStat(WireWriter writer, Stat stat)
    {
        writer.WriteInt64(stat.CreatedSlot);
        writer.WriteInt64(stat.ModifiedSlot);
        writer.WriteInt64(stat.CreatedTime);
        writer.WriteInt64(stat.ModifiedTime);
        writer.WriteInt32(stat.Version);
        writer.WriteInt32(stat.ChildVersion);
        writer.WriteInt64(stat.EphemeralOwner);
        writer.WriteInt32(stat.DataLength);
        writer.WriteInt32(stat.ChildCount);
        writer.WriteInt64(stat.ChildrenModifiedSlot);
    }

    internal static Stat ReadStat(ref WireReader reader) => new(
        reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(),
        reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64());
}
