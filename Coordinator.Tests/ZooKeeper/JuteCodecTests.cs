using System.Buffers.Binary;
using Coordinator.Client;
using Coordinator.Core.Protocol;
using Coordinator.Core.ZooKeeper;
using Xunit;

namespace Coordinator.Tests.ZooKeeper;

/// <summary>
/// The jute codec against the layouts of zookeeper.jute: requests a 3.8 client sends decode to what they mean,
/// frames that are malformed, oversize or name an unknown op code are refused, and every answer has the byte layout a
/// ZooKeeper client reads.
/// </summary>
[Trait("Category", "ZooKeeper")]
public sealed class JuteCodecTests
{
    private static readonly Stat SampleStat = new(
        CreatedSlot: 11, ModifiedSlot: 12, CreatedTime: 1_700_000_000_001, ModifiedTime: 1_700_000_000_002, Version: 3, ChildVersion: 4,
        EphemeralOwner: 0x1234, DataLength: 5, ChildCount: 6, ChildrenModifiedSlot: 13);

    // ---- requests -----------------------------------------------------------------------------------------------

    [Fact]
    public void A_connect_request_decodes_with_and_without_the_read_only_flag()
    {
        var password = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var modern = ZkRequestCodec.DecodeConnect(Body(w => w.Int(0).Long(42).Int(30_000).Long(0x77).Buffer(password).Bool(true)));
        Assert.Equal((0, 42L, 30_000, 0x77L, true), (modern.ProtocolVersion, modern.LastZxidSeen, modern.TimeoutMs, modern.SessionId, modern.ReadOnly));
        Assert.Equal(password, modern.Password);

        var old = ZkRequestCodec.DecodeConnect(Body(w => w.Int(0).Long(0).Int(4000).Long(0).Buffer(new byte[16])));
        Assert.False(old.ReadOnly);
        Assert.Throws<JuteException>(() => ZkRequestCodec.DecodeConnect(Body(w => w.Int(0).Long(0).Int(4000).Long(0).Buffer(new byte[16]).Bool(false).Int(9))));
    }

    [Fact]
    public void Create_requests_decode_with_their_acls()
    {
        var packet = ZkRequestCodec.Decode(Body(w => Acl(w.Int(7).Int((int)ZkOpCode.Create).String("/a").Buffer([1, 2])).Int(3)));
        Assert.Equal(7, packet.Xid);
        Assert.Equal(ZkOpCode.Create, packet.Op);
        var create = Assert.IsType<ZkCreateRecord>(packet.Request);
        Assert.Equal(("/a", 3, (long?)null), (create.Path, create.Flags, create.Ttl));
        Assert.Equal([1, 2], create.Data);
        Assert.Equal([AclEntry.OpenToAnyone], create.Acl);
        var (transaction, _) = ZkTranslation.ToTransaction(packet.Op, create);
        Assert.Equal([AclEntry.OpenToAnyone], Assert.IsType<Create>(transaction).Acl);

        var ttl = Assert.IsType<ZkCreateRecord>(ZkRequestCodec.Decode(
            Body(w => Acl(w.Int(8).Int((int)ZkOpCode.CreateTtl).String("/t").Buffer([])).Int(5).Long(60_000))).Request);
        Assert.Equal((5, (long?)60_000), (ttl.Flags, ttl.Ttl));
    }

    [Fact]
    public void Reads_writes_and_watch_requests_decode()
    {
        Assert.Equal(new ZkReadRecord("/r", true), ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.GetChildren2).String("/r").Bool(true))).Request);
        Assert.Equal(new ZkDeleteRecord("/d", 4), ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.Delete).String("/d").Int(4))).Request);
        var set = Assert.IsType<ZkSetDataRecord>(ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.SetData).String("/s").Buffer([9]).Int(-1))).Request);
        Assert.Equal(("/s", -1), (set.Path, set.Version));
        Assert.Equal(new ZkPathRecord("/y"), ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.Sync).String("/y"))).Request);
        Assert.Equal(new ZkAddWatchRecord("/w", 1), ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.AddWatch).String("/w").Int(1))).Request);
        Assert.Equal(ZkEmptyRecord.Instance, ZkRequestCodec.Decode(Body(w => w.Int(ZkXids.Ping).Int((int)ZkOpCode.Ping))).Request);

        var watches = Assert.IsType<ZkSetWatchesRecord>(ZkRequestCodec.Decode(Body(w =>
            w.Int(ZkXids.SetWatches).Int((int)ZkOpCode.SetWatches2).Long(99).Strings(["/d"]).Strings(["/e"]).Strings(["/c"]).Strings(["/p"]).Strings(["/r"]))).Request);
        Assert.Equal((99L, "/d", "/e", "/c", "/p", "/r"), (watches.RelativeZxid, watches.DataWatches.Single(), watches.ExistWatches.Single(),
            watches.ChildWatches.Single(), watches.PersistentWatches.Single(), watches.PersistentRecursiveWatches.Single()));
        var old = Assert.IsType<ZkSetWatchesRecord>(ZkRequestCodec.Decode(Body(w =>
            w.Int(ZkXids.SetWatches).Int((int)ZkOpCode.SetWatches).Long(1).Strings([]).Strings([]).Strings(["/c"]))).Request);
        Assert.Empty(old.PersistentWatches);
    }

    [Fact]
    public void A_multi_decodes_its_ops_until_the_done_header()
    {
        var packet = ZkRequestCodec.Decode(Body(w =>
        {
            w.Int(3).Int((int)ZkOpCode.Multi);
            Acl(w.Int((int)ZkOpCode.Create).Bool(false).Int(-1).String("/m").Buffer([1])).Int(0);
            w.Int((int)ZkOpCode.SetData).Bool(false).Int(-1).String("/m").Buffer([2]).Int(0);
            w.Int((int)ZkOpCode.Check).Bool(false).Int(-1).String("/m").Int(1);
            w.Int((int)ZkOpCode.Delete).Bool(false).Int(-1).String("/m").Int(-1);
            w.Int(-1).Bool(true).Int(-1);
        }));
        var multi = Assert.IsType<ZkMultiRecord>(packet.Request);
        Assert.Equal([ZkOpCode.Create, ZkOpCode.SetData, ZkOpCode.Check, ZkOpCode.Delete], multi.Ops.Select(op => op.Op));

        var (transaction, error) = ZkTranslation.ToTransaction(ZkOpCode.Multi, multi);
        Assert.Equal(ZkError.Ok, error);
        Assert.Equal(4, Assert.IsType<Multi>(transaction).Ops.Count);
    }

    [Fact]
    public void Four_letter_words_are_told_from_frame_lengths_and_only_the_probes_are_answered()
    {
        Assert.Equal("ruok", ZkFourLetterWords.Word("ruok"u8));
        Assert.Equal("imok", ZkFourLetterWords.Answer("ruok"));
        Assert.Equal("rw", ZkFourLetterWords.Answer("isro"));
        Assert.Equal("mntr", ZkFourLetterWords.Word("mntr"u8));
        Assert.Null(ZkFourLetterWords.Answer("mntr"));
        Assert.Null(ZkFourLetterWords.Word(Prefix(45)));
        Assert.Null(ZkFourLetterWords.Word("abcd"u8));
    }

    [Fact]
    public void Path_only_requests_decode_and_a_number_answers_getAllChildrenNumber()
    {
        Assert.Equal(new ZkPathRecord("/p"), ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.GetAllChildrenNumber).String("/p"))).Request);
        Assert.Equal(new ZkPathRecord("/e"), ZkRequestCodec.Decode(Body(w => w.Int(1).Int((int)ZkOpCode.GetEphemerals).String("/e"))).Request);
        var reader = new JuteReader(ZkResponses.Number(2, 3, 42).AsSpan(4));
        Assert.Equal((2, 3L, 0, 42), (reader.ReadInt(), reader.ReadLong(), reader.ReadInt(), reader.ReadInt()));
        Assert.True(reader.AtEnd);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-10)]
    [InlineData(10)]
    [InlineData(99)]
    [InlineData(int.MaxValue)]
    public void An_op_code_ZooKeeper_does_not_define_is_refused(int code)
    {
        var refused = Assert.Throws<JuteException>(() => ZkRequestCodec.Decode(Body(w => w.Int(1).Int(code).String("/x"))));
        Assert.Contains("unknown op code", refused.Message);
    }

    [Theory]
    [InlineData((int)ZkOpCode.Reconfig)]
    [InlineData((int)ZkOpCode.RemoveWatches)]
    [InlineData((int)ZkOpCode.MultiRead)]
    [InlineData((int)ZkOpCode.Sasl)]
    public void A_defined_op_that_is_not_served_decodes_as_unsupported_whatever_its_record(int code)
    {
        var op = (ZkOpCode)code;
        var packet = ZkRequestCodec.Decode(Body(w => w.Int(5).Int((int)op).Int(12345).Bool(true)));
        Assert.Equal((5, op), (packet.Xid, packet.Op));
        Assert.IsType<ZkUnsupportedRecord>(packet.Request);
    }

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        { "truncated header", [0, 0, 0] },
        { "truncated path", Body(w => w.Int(1).Int((int)ZkOpCode.GetData).Int(10).Int(0)) },
        { "negative string length", Body(w => w.Int(1).Int((int)ZkOpCode.GetData).Int(-2).Bool(false)) },
        { "null path", Body(w => w.Int(1).Int((int)ZkOpCode.GetData).Int(-1).Bool(false)) },
        { "boolean byte 2", Body(w => w.Int(1).Int((int)ZkOpCode.Exists).String("/a").Int(0x02000000)) },
        { "trailing bytes", Body(w => w.Int(1).Int((int)ZkOpCode.Exists).String("/a").Bool(false).Int(0)) },
        { "huge acl vector", Body(w => w.Int(1).Int((int)ZkOpCode.Create).String("/a").Buffer([]).Int(int.MaxValue)) },
        { "negative acl vector", Body(w => w.Int(1).Int((int)ZkOpCode.Create).String("/a").Buffer([]).Int(-5)) },
        { "read op inside a multi", Body(w => w.Int(1).Int((int)ZkOpCode.Multi).Int((int)ZkOpCode.GetData).Bool(false).Int(-1).String("/a").Bool(false)) },
        { "multi without its done header", Body(w => w.Int(1).Int((int)ZkOpCode.Multi).Int((int)ZkOpCode.Delete).Bool(false).Int(-1).String("/a").Int(0)) },
        { "invalid UTF-8 path", Body(w => w.Int(1).Int((int)ZkOpCode.Exists).Buffer([0x2f, 0xff, 0xfe]).Bool(false)) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_record_is_refused(string what, byte[] frame)
    {
        Assert.NotEmpty(what);
        Assert.Throws<JuteException>(() => ZkRequestCodec.Decode(frame));
    }

    [Fact]
    public void A_frame_length_outside_zero_to_jute_maxbuffer_is_refused()
    {
        Assert.Equal(0, ZkFrames.ReadLength(Prefix(0), ZkFrames.DefaultMaxFrameBytes));
        Assert.Equal(ZkFrames.DefaultMaxFrameBytes, ZkFrames.ReadLength(Prefix(ZkFrames.DefaultMaxFrameBytes), ZkFrames.DefaultMaxFrameBytes));
        Assert.Throws<JuteException>(() => ZkFrames.ReadLength(Prefix(ZkFrames.DefaultMaxFrameBytes + 1), ZkFrames.DefaultMaxFrameBytes));
        Assert.Throws<JuteException>(() => ZkFrames.ReadLength(Prefix(-1), ZkFrames.DefaultMaxFrameBytes));
        Assert.Throws<JuteException>(() => ZkFrames.ReadLength(Prefix(int.MinValue), ZkFrames.DefaultMaxFrameBytes));
    }

    // ---- responses ----------------------------------------------------------------------------------------------

    [Fact]
    public void A_reply_is_a_length_prefixed_header_and_record()
    {
        var frame = ZkResponses.Header(17, 0x1_0000_0002, ZkError.NoNode);
        Assert.Equal(20, frame.Length);
        Assert.Equal(16, BinaryPrimitives.ReadInt32BigEndian(frame));
        var reader = new JuteReader(frame.AsSpan(4));
        Assert.Equal((17, 0x1_0000_0002L, -101), (reader.ReadInt(), reader.ReadLong(), reader.ReadInt()));
    }

    [Fact]
    public void A_stat_has_ZooKeepers_eleven_fields_in_order()
    {
        var frame = ZkResponses.Stat(1, 2, SampleStat);
        Assert.Equal(4 + 16 + 68, frame.Length);
        var reader = new JuteReader(frame.AsSpan(4 + 16));
        Assert.Equal(11, reader.ReadLong());
        Assert.Equal(12, reader.ReadLong());
        Assert.Equal(1_700_000_000_001, reader.ReadLong());
        Assert.Equal(1_700_000_000_002, reader.ReadLong());
        Assert.Equal(3, reader.ReadInt());
        Assert.Equal(4, reader.ReadInt());
        Assert.Equal(0, reader.ReadInt());
        Assert.Equal(0x1234, reader.ReadLong());
        Assert.Equal(5, reader.ReadInt());
        Assert.Equal(6, reader.ReadInt());
        Assert.Equal(13, reader.ReadLong());
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void A_connect_response_carries_timeout_session_password_and_read_only()
    {
        var password = ZkPasswords.FromSecret(-5);
        var reader = new JuteReader(ZkResponses.Connect(6000, 0x55, password).AsSpan(4));
        Assert.Equal((0, 6000, 0x55L), (reader.ReadInt(), reader.ReadInt(), reader.ReadLong()));
        Assert.Equal(password, reader.ReadBuffer());
        Assert.False(reader.ReadBool());
        Assert.True(reader.AtEnd);

        var expired = new JuteReader(ZkResponses.Expired().AsSpan(4));
        Assert.Equal((0, 0), (expired.ReadInt(), expired.ReadInt()));
    }

    [Fact]
    public void An_added_watch_is_answered_with_an_error_response_record()
    {
        var reader = new JuteReader(ZkResponses.WatchAdded(4, 8).AsSpan(4));
        Assert.Equal((4, 8L, 0, 0), (reader.ReadInt(), reader.ReadLong(), reader.ReadInt(), reader.ReadInt()));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void A_watch_event_has_xid_and_zxid_minus_one_and_the_SyncConnected_state()
    {
        var reader = new JuteReader(ZkResponses.Notification((int)WatchEventType.NodeChildrenChanged, "/a/b").AsSpan(4));
        Assert.Equal((-1, -1L, 0), (reader.ReadInt(), reader.ReadLong(), reader.ReadInt()));
        Assert.Equal((4, 3, "/a/b"), (reader.ReadInt(), reader.ReadInt(), reader.ReadString()));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void A_multi_response_lists_each_result_under_its_header_and_ends_with_done()
    {
        var frame = ZkResponses.Multi(9, 20, [
            new ZkMultiResult(ZkOpCode.Create, ZkError.Ok, "/m"),
            new ZkMultiResult(ZkOpCode.Create2, ZkError.Ok, "/n", SampleStat),
            new ZkMultiResult(ZkOpCode.SetData, ZkError.Ok, Stat: SampleStat),
            new ZkMultiResult(ZkOpCode.Delete, ZkError.Ok),
            new ZkMultiResult(ZkOpCode.Error, ZkError.BadVersion),
        ]);
        var reader = new JuteReader(frame.AsSpan(4));
        Assert.Equal((9, 20L, 0), (reader.ReadInt(), reader.ReadLong(), reader.ReadInt()));
        Assert.Equal((1, false, 0, "/m"), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt(), reader.ReadString()));
        Assert.Equal((15, false, 0, "/n"), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt(), reader.ReadString()));
        SkipStat(ref reader);
        Assert.Equal((5, false, 0), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt()));
        SkipStat(ref reader);
        Assert.Equal((2, false, 0), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt()));
        Assert.Equal((-1, false, -103, -103), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt(), reader.ReadInt()));
        Assert.Equal((-1, true, -1), (reader.ReadInt(), reader.ReadBool(), reader.ReadInt()));
        Assert.True(reader.AtEnd);
    }

    // ---- translation --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(ErrorCode.Ok, 0)]
    [InlineData(ErrorCode.NoNode, -101)]
    [InlineData(ErrorCode.NodeExists, -110)]
    [InlineData(ErrorCode.BadVersion, -103)]
    [InlineData(ErrorCode.NotEmpty, -111)]
    [InlineData(ErrorCode.NoChildrenForEphemerals, -108)]
    [InlineData(ErrorCode.SessionExpired, -112)]
    [InlineData(ErrorCode.SessionMoved, -118)]
    [InlineData(ErrorCode.RuntimeInconsistency, -2)]
    [InlineData(ErrorCode.InvalidPath, -8)]
    [InlineData(ErrorCode.BadArguments, -8)]
    [InlineData(ErrorCode.SystemError, -1)]
    [InlineData(ErrorCode.NotLockHolder, -1)]
    public void Coordinator_codes_become_KeeperException_codes(ErrorCode code, int keeperCode) =>
        Assert.Equal(keeperCode, (int)ZkTranslation.ToZk(code));

    [Fact]
    public void Create_modes_follow_ZooKeepers_CreateMode_flags_and_their_op()
    {
        Assert.Equal(NodeKind.EphemeralSequential, ZkTranslation.KindOf(ZkOpCode.Create, 3, null));
        Assert.Equal(NodeKind.Container, ZkTranslation.KindOf(ZkOpCode.CreateContainer, 4, null));
        Assert.Equal(NodeKind.PersistentSequentialWithTtl, ZkTranslation.KindOf(ZkOpCode.CreateTtl, 6, 1000));
        Assert.Null(ZkTranslation.KindOf(ZkOpCode.Create, 7, null));
        Assert.Null(ZkTranslation.KindOf(ZkOpCode.Create, -1, null));
        Assert.Null(ZkTranslation.KindOf(ZkOpCode.Create, 5, null));
        Assert.Null(ZkTranslation.KindOf(ZkOpCode.CreateTtl, 5, 0));
        Assert.Null(ZkTranslation.KindOf(ZkOpCode.CreateTtl, 0, 1000));

        var (transaction, _) = ZkTranslation.ToTransaction(ZkOpCode.CreateTtl, new ZkCreateRecord("/t", [], 5, 1000));
        Assert.Equal(1000, Assert.IsType<Create>(transaction).TtlMs);
        Assert.Equal(ZkError.BadArguments, ZkTranslation.ToTransaction(ZkOpCode.Create, new ZkCreateRecord("/t", [], 9, null)).Error);
    }

    [Fact]
    public void A_failed_multi_answers_every_op_as_ZooKeeper_does()
    {
        var request = new ZkMultiRecord([
            new ZkMultiOp(ZkOpCode.Create, new ZkCreateRecord("/a", [], 0, null)),
            new ZkMultiOp(ZkOpCode.Check, new ZkCheckRecord("/b", 3)),
            new ZkMultiOp(ZkOpCode.Delete, new ZkDeleteRecord("/c", -1)),
        ]);
        var failed = new MultiErrorResult(ErrorCode.BadVersion, 1, [ErrorCode.Ok, ErrorCode.BadVersion, ErrorCode.RuntimeInconsistency]);
        Assert.Equal([0, -103, -2], ZkTranslation.MultiResults(request, failed).Select(result => (int)result.Error));
        Assert.All(ZkTranslation.MultiResults(request, failed), result => Assert.Equal(ZkOpCode.Error, result.Type));

        var done = new MultiResult([new CreatedResult("/a", SampleStat), OkResult.Instance, OkResult.Instance]);
        Assert.Equal([ZkOpCode.Create, ZkOpCode.Check, ZkOpCode.Delete], ZkTranslation.MultiResults(request, done).Select(result => result.Type));
    }

    [Fact]
    public void A_password_carries_the_session_secret_and_nothing_else()
    {
        Assert.Equal(long.MinValue + 7, ZkPasswords.ToSecret(ZkPasswords.FromSecret(long.MinValue + 7)));
        Assert.Null(ZkPasswords.ToSecret(new byte[15]));
        var tampered = ZkPasswords.FromSecret(1);
        tampered[15] = 1;
        Assert.Null(ZkPasswords.ToSecret(tampered));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static byte[] Body(Action<JuteWriter> write)
    {
        var writer = new JuteWriter();
        write(writer);
        return writer.ToFrame()[ZkFrames.PrefixBytes..];
    }

    /// <summary>One ACL, world:anyone with every permission, as clients send by default.</summary>
    [Fact]
    public void SetAcl_requests_decode_to_a_set_acl_with_zookeepers_permission_bits_and_acl_version()
    {
        var packet = ZkRequestCodec.Decode(Body(w => w.Int(9).Int((int)ZkOpCode.SetAcl).String("/a")
            .Int(2).Int(1).String("digest").String("alice:hash").Int(31).String("x509").String("CN=app").Int(4)));
        var (transaction, error) = ZkTranslation.ToTransaction(packet.Op, packet.Request);
        Assert.Equal(ZkError.Ok, error);
        var set = Assert.IsType<SetAcl>(transaction);
        Assert.Equal(("/a", 4), (set.Path, set.ExpectedAclVersion));
        Assert.Equal([new AclEntry("digest", "alice:hash", Permissions.Read), new AclEntry("x509", "CN=app", Permissions.All)], set.Acl);
    }

    [Fact]
    public void An_auth_packet_decodes_and_digest_becomes_a_login_while_other_schemes_are_auth_failed()
    {
        var packet = ZkRequestCodec.Decode(Body(w => w.Int(ZkXids.Auth).Int((int)ZkOpCode.Auth).Int(0).String("digest").Buffer("alice:pw:with:colons"u8)));
        Assert.Equal((ZkXids.Auth, ZkOpCode.Auth), (packet.Xid, packet.Op));
        Assert.Equal((new AuthenticateSessionAs("alice", "pw:with:colons"), ZkError.Ok), ZkTranslation.ToTransaction(packet.Op, packet.Request));
        Assert.Equal((null, ZkError.AuthFailed), ZkTranslation.ToTransaction(ZkOpCode.Auth, new ZkAuthRecord(0, "ip", "1.2.3.4"u8.ToArray())));
        Assert.Equal((null, ZkError.AuthFailed), ZkTranslation.ToTransaction(ZkOpCode.Auth, new ZkAuthRecord(0, "digest", "no-colon"u8.ToArray())));
    }

    private static JuteWriter Acl(JuteWriter writer) => writer.Int(1).Int(31).String("world").String("anyone");

    private static byte[] Prefix(int length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        return prefix;
    }

    private static void SkipStat(ref JuteReader reader)
    {
        for (var i = 0; i < 4; i++)
        {
            reader.ReadLong();
        }
        for (var i = 0; i < 3; i++)
        {
            reader.ReadInt();
        }
        reader.ReadLong();
        reader.ReadInt();
        reader.ReadInt();
        reader.ReadLong();
    }
}
