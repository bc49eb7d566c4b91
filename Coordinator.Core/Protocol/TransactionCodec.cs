using Coordinator.Client;

namespace Coordinator.Core.Protocol;

/// <summary>
/// The log's payload format: a format version byte, then a tag byte per transaction and its fields in
/// declaration order. Decoding never throws; malformed input yields a <see cref="CodecError"/>.
/// </summary>
internal static class TransactionCodec
{
    public const byte FormatVersion = 1;

    /// <summary>The first byte after the version: which transaction follows.</summary>
    public enum Tag : byte
    {
        CreateSession = 1,
        CloseSession,
        TouchSession,
        ExpireSession,
        Tick,
        Create,
        Delete,
        SetData,
        Check,
        Multi,
        Sync,
        Acquire,
        Release,
        Withdraw,
        RenewLease,
        CheckToken,

        /// <summary>An <see cref="Acquire"/> with a MaxCount; a plain Acquire keeps its older layout.</summary>
        AcquireSemaphore,
        Upgrade,

        /// <summary>A <see cref="CreateSession"/> with a verified user; an anonymous one keeps its older layout.</summary>
        CreateUserSession,

        /// <summary>A <see cref="Create"/> with an ACL; one with the default ACL keeps its older layout.</summary>
        CreateWithAcl,
        SetAcl,
        StoreUser,
        RemoveUser,

        /// <summary>Client to gateway only (<see cref="CreateSessionAs"/>): carries a password, never proposed.</summary>
        CreateSessionAs,

        /// <summary>Client to gateway only (<see cref="SetPassword"/>): carries a password, never proposed.</summary>
        SetPassword,

        /// <summary>Client to gateway only (<see cref="CreateCertifiedSession"/>): a certificate's proof, never proposed.</summary>
        CreateCertifiedSession,

        /// <summary>Client to gateway only (<see cref="AuthenticateSessionAs"/>): carries a password, never proposed.</summary>
        AuthenticateSessionAs,
        AuthenticateSession,
    }

    public static byte[] Encode(Transaction transaction)
    {
        var writer = new WireWriter();
        writer.WriteByte(FormatVersion);
        Write(writer, transaction);
        return writer.ToArray();
    }

    public static DecodeResult<Transaction> Decode(ReadOnlySpan<byte> bytes) => DecodeWith(bytes, Read);

    /// <summary>Whether the encoded transaction is exactly a <see cref="Sync"/>, without decoding it.</summary>
    public static bool IsSync(ReadOnlySpan<byte> bytes) => bytes is [FormatVersion, (byte)Tag.Sync];

    /// <summary>
    /// Which transaction the bytes carry, read from its tag without decoding the fields (a gateway vets a client's
    /// write this way); null for empty bytes, another format version or an unknown tag.
    /// </summary>
    public static Tag? PeekTag(ReadOnlySpan<byte> bytes) =>
        bytes is [FormatVersion, var tag, ..] && Enum.IsDefined((Tag)tag) ? (Tag)tag : null;

    /// <summary>A command with its exactly-once identity, for a log entry that carries whole client commands.</summary>
    public static byte[] EncodeCommand(ClientCommand command)
    {
        var writer = new WireWriter();
        writer.WriteByte(FormatVersion);
        writer.WriteInt64(command.SessionId);
        writer.WriteInt64(command.Sequence);
        Write(writer, command.Transaction);
        return writer.ToArray();
    }

    public static DecodeResult<ClientCommand> DecodeCommand(ReadOnlySpan<byte> bytes) =>
        DecodeWith(bytes, (ref WireReader reader) =>
        {
            var sessionId = reader.ReadInt64();
            var sequence = reader.ReadInt64();
            return new ClientCommand(sessionId, sequence, Read(ref reader));
        });

    private delegate T ReadBody<out T>(ref WireReader reader);

    private static DecodeResult<T> DecodeWith<T>(ReadOnlySpan<byte> bytes, ReadBody<T> body)
        where T : class
    {
        if (bytes.IsEmpty)
        {
            return DecodeResult<T>.Fail(CodecError.Empty);
        }
        if (bytes[0] != FormatVersion)
        {
            return DecodeResult<T>.Fail(CodecError.UnsupportedVersion);
        }
        try
        {
            var reader = new WireReader(bytes[1..]);
            var value = body(ref reader);
            return reader.AtEnd ? DecodeResult<T>.Ok(value) : DecodeResult<T>.Fail(CodecError.TrailingBytes);
        }
        catch (WireFormatException e)
        {
            return DecodeResult<T>.Fail(e.Error);
        }
    }

    internal static void Write(WireWriter writer, Transaction transaction)
    {
        switch (transaction)
        {
            case CreateSession t:
                writer.WriteByte((byte)(t.User is null ? Tag.CreateSession : Tag.CreateUserSession));
                writer.WriteInt32(t.TimeoutMs);
                writer.WriteInt64(t.Secret);
                if (t.User is not null)
                {
                    writer.WriteString(t.User);
                }
                break;
            case CreateSessionAs t:
                writer.WriteByte((byte)Tag.CreateSessionAs);
                writer.WriteInt32(t.TimeoutMs);
                writer.WriteInt64(t.Secret);
                writer.WriteString(t.User);
                writer.WriteString(t.Password);
                break;
            case SetPassword t:
                writer.WriteByte((byte)Tag.SetPassword);
                writer.WriteString(t.Name);
                writer.WriteString(t.Password);
                break;
            case CreateCertifiedSession t:
                writer.WriteByte((byte)Tag.CreateCertifiedSession);
                writer.WriteInt32(t.TimeoutMs);
                writer.WriteInt64(t.Secret);
                writer.WriteNullableBytes(t.Certificate);
                writer.WriteString(t.Gateway);
                writer.WriteInt64(t.IssuedAtMs);
                writer.WriteNullableBytes(t.Nonce);
                writer.WriteNullableBytes(t.Signature);
                break;
            case AuthenticateSessionAs t:
                writer.WriteByte((byte)Tag.AuthenticateSessionAs);
                writer.WriteString(t.User);
                writer.WriteString(t.Password);
                break;
            case AuthenticateSession t:
                writer.WriteByte((byte)Tag.AuthenticateSession);
                writer.WriteString(t.User);
                break;
            case StoreUser t:
                writer.WriteByte((byte)Tag.StoreUser);
                writer.WriteString(t.Name);
                writer.WriteInt32(t.Digest.Iterations);
                writer.WriteNullableBytes(t.Digest.Salt);
                writer.WriteNullableBytes(t.Digest.Hash);
                break;
            case RemoveUser t:
                writer.WriteByte((byte)Tag.RemoveUser);
                writer.WriteString(t.Name);
                break;
            case SetAcl t:
                writer.WriteByte((byte)Tag.SetAcl);
                writer.WriteString(t.Path);
                AclCodec.Write(writer, t.Acl);
                writer.WriteInt32(t.ExpectedAclVersion);
                break;
            case CloseSession:
                writer.WriteByte((byte)Tag.CloseSession);
                break;
            case TouchSession t:
                writer.WriteByte((byte)Tag.TouchSession);
                writer.WriteInt64(t.SessionId);
                break;
            case ExpireSession t:
                writer.WriteByte((byte)Tag.ExpireSession);
                writer.WriteInt64(t.SessionId);
                break;
            case Tick:
                writer.WriteByte((byte)Tag.Tick);
                break;
            case Create t:
                writer.WriteByte((byte)(t.Acl is null ? Tag.Create : Tag.CreateWithAcl));
                writer.WriteString(t.Path);
                writer.WriteNullableBytes(t.Data);
                writer.WriteByte((byte)t.Kind);
                writer.WriteOptionalInt64(t.TtlMs);
                writer.WriteBool(t.CreateParents);
                if (t.Acl is not null)
                {
                    AclCodec.Write(writer, t.Acl);
                }
                break;
            case Delete t:
                writer.WriteByte((byte)Tag.Delete);
                writer.WriteString(t.Path);
                writer.WriteInt32(t.ExpectedVersion);
                break;
            case SetData t:
                writer.WriteByte((byte)Tag.SetData);
                writer.WriteString(t.Path);
                writer.WriteNullableBytes(t.Data);
                writer.WriteInt32(t.ExpectedVersion);
                break;
            case Check t:
                writer.WriteByte((byte)Tag.Check);
                writer.WriteString(t.Path);
                writer.WriteInt32(t.ExpectedVersion);
                break;
            case Multi t:
                writer.WriteByte((byte)Tag.Multi);
                writer.WriteInt32(t.Ops.Count);
                foreach (var op in t.Ops)
                {
                    Write(writer, op);
                }
                break;
            case Sync:
                writer.WriteByte((byte)Tag.Sync);
                break;
            case Acquire t:
                writer.WriteByte((byte)(t.MaxCount is null ? Tag.Acquire : Tag.AcquireSemaphore));
                writer.WriteString(t.Path);
                writer.WriteByte((byte)t.Mode);
                writer.WriteBool(t.Wait);
                writer.WriteOptionalInt64(t.LeaseTtlMs);
                if (t.MaxCount is { } maxCount)
                {
                    writer.WriteInt32(maxCount);
                }
                break;
            case Release t:
                writer.WriteByte((byte)Tag.Release);
                writer.WriteString(t.Path);
                break;
            case Withdraw t:
                writer.WriteByte((byte)Tag.Withdraw);
                writer.WriteString(t.Path);
                break;
            case RenewLease t:
                writer.WriteByte((byte)Tag.RenewLease);
                writer.WriteString(t.Path);
                break;
            case CheckToken t:
                writer.WriteByte((byte)Tag.CheckToken);
                writer.WriteString(t.Path);
                writer.WriteInt64(t.Token);
                break;
            case Upgrade t:
                writer.WriteByte((byte)Tag.Upgrade);
                writer.WriteString(t.Path);
                writer.WriteBool(t.Wait);
                break;
            default:
                throw new ArgumentException($"Unknown transaction {transaction.GetType().Name}", nameof(transaction));
        }
    }

    internal static Transaction Read(ref WireReader reader) => Read(ref reader, insideMulti: false);

    private static Transaction Read(ref WireReader reader, bool insideMulti)
    {
        var tag = (Tag)reader.ReadByte();
        switch (tag)
        {
            case Tag.CreateSession:
                return new CreateSession(reader.ReadInt32(), reader.ReadInt64());
            case Tag.CreateUserSession:
                return new CreateSession(reader.ReadInt32(), reader.ReadInt64(), ReadName(ref reader));
            case Tag.CreateSessionAs:
                return new CreateSessionAs(reader.ReadInt32(), reader.ReadInt64(), ReadName(ref reader), ReadName(ref reader));
            case Tag.SetPassword:
                return new SetPassword(ReadName(ref reader), ReadName(ref reader));
            case Tag.AuthenticateSessionAs:
                return new AuthenticateSessionAs(ReadName(ref reader), ReadName(ref reader));
            case Tag.AuthenticateSession:
                return new AuthenticateSession(ReadName(ref reader));
            case Tag.CreateCertifiedSession:
                return new CreateCertifiedSession(
                    reader.ReadInt32(), reader.ReadInt64(), ReadBlob(ref reader), ReadName(ref reader), reader.ReadInt64(), ReadBlob(ref reader),
                    ReadBlob(ref reader));
            case Tag.StoreUser:
                return new StoreUser(
                    ReadName(ref reader), new StateMachine.PasswordDigest(reader.ReadInt32(), reader.ReadNullableBytes()!, reader.ReadNullableBytes()!));
            case Tag.RemoveUser:
                return new RemoveUser(ReadName(ref reader));
            case Tag.SetAcl:
                return new SetAcl(ReadPath(ref reader), AclCodec.Read(ref reader), reader.ReadInt32());
            case Tag.CreateWithAcl:
                return new Create(
                    ReadPath(ref reader), reader.ReadNullableBytes()!, (NodeKind)reader.ReadByte(),
                    reader.ReadOptionalInt64(), reader.ReadBool(), AclCodec.Read(ref reader));
            case Tag.CloseSession:
                return CloseSession.Instance;
            case Tag.TouchSession:
                return new TouchSession(reader.ReadInt64());
            case Tag.ExpireSession:
                return new ExpireSession(reader.ReadInt64());
            case Tag.Tick:
                return Tick.Instance;
            case Tag.Create:
                return new Create(
                    ReadPath(ref reader), reader.ReadNullableBytes()!, (NodeKind)reader.ReadByte(),
                    reader.ReadOptionalInt64(), reader.ReadBool());
            case Tag.Delete:
                return new Delete(ReadPath(ref reader), reader.ReadInt32());
            case Tag.SetData:
                return new SetData(ReadPath(ref reader), reader.ReadNullableBytes()!, reader.ReadInt32());
            case Tag.Check:
                return new Check(ReadPath(ref reader), reader.ReadInt32());
            case Tag.Multi:
                if (insideMulti)
                {
                    throw new WireFormatException(CodecError.NestedMulti);
                }
                var count = reader.ReadCount();
                var ops = new Transaction[count];
                for (var i = 0; i < count; i++)
                {
                    ops[i] = Read(ref reader, insideMulti: true);
                }
                return new Multi(ops);
            case Tag.Sync:
                return Sync.Instance;
            case Tag.Acquire:
                return new Acquire(ReadPath(ref reader), ReadLockMode(ref reader), reader.ReadBool(), reader.ReadOptionalInt64());
            case Tag.AcquireSemaphore:
                return new Acquire(
                    ReadPath(ref reader), ReadLockMode(ref reader), reader.ReadBool(), reader.ReadOptionalInt64(), reader.ReadInt32());
            case Tag.Release:
                return new Release(ReadPath(ref reader));
            case Tag.Withdraw:
                return new Withdraw(ReadPath(ref reader));
            case Tag.RenewLease:
                return new RenewLease(ReadPath(ref reader));
            case Tag.CheckToken:
                return new CheckToken(ReadPath(ref reader), reader.ReadInt64());
            case Tag.Upgrade:
                return new Upgrade(ReadPath(ref reader), reader.ReadBool());
            default:
                throw new WireFormatException(CodecError.UnknownTag);
        }
    }

    // A null path or data is representable (Apply answers it with a typed error), so the codec keeps it:
    // encode(decode(x)) round-trips whatever a caller built.
    private static string ReadPath(ref WireReader reader) => reader.ReadString()!;

    private static byte[] ReadBlob(ref WireReader reader) => reader.ReadNullableBytes() ?? throw new WireFormatException(CodecError.InvalidValue);

    private static string ReadName(ref WireReader reader) => reader.ReadString() ?? throw new WireFormatException(CodecError.InvalidValue);

    private static LockMode ReadLockMode(ref WireReader reader) => reader.ReadByte() switch
    {
        0 => LockMode.Exclusive,
        1 => LockMode.Shared,
        2 => LockMode.Upgradeable,
        _ => throw new WireFormatException(CodecError.InvalidValue),
    };
}
